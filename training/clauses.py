"""Clause segmentation with character offsets: the units the blame-span detector classifies.

A blame-shifting span is "the shortest passage that carries the move, usually a clause" (guide §2),
so a reply is cut at sentence ends, line breaks, commas, semicolons, colons, dashes, brackets and
before the conjunctions that open a new move («но», «однако», «а», «поэтому», «так как»…).
"""

from __future__ import annotations

import re
from typing import NamedTuple

_BOUNDARY = re.compile(
    r"[.!?…]+[\"»)]*\s+|\n+|[;:]\s+|,\s+|\s+[—–-]\s+|\(|\)\s*"
    r"|\s+(?=(?:но|однако|а|поэтому|так\s+как|потому\s+что|тем\s+не\s+менее|впрочем|зато)\s)",
    re.IGNORECASE,
)
_TRIM = " \t\n.,;:!?…—–-\"«»()'"
_LEADING_CONJUNCTION = re.compile(r"(?:но|однако|а|и)\s+", re.IGNORECASE)
MIN_CLAUSE_CHARS = 3
MIN_CLAUSE_WORDS = 3
"""A comma-cut piece shorter than this («Возможно», «К сожалению», «Судя по всему») is an
introductory phrase and stays with the clause it introduces."""


class Clause(NamedTuple):
    start: int
    end: int
    text: str


def clauses(text: str) -> list[Clause]:
    """Clauses in order, trimmed of surrounding spaces, punctuation and a leading «но/а/однако/и»."""
    out: list[Clause] = []
    position = 0
    for match in _BOUNDARY.finditer(text):
        if _is_intro(text, position, match):
            continue
        _add(text, position, match.start(), out)
        position = match.end()
    _add(text, position, len(text), out)
    return out


def _is_intro(text: str, start: int, boundary: re.Match[str]) -> bool:
    """A short piece cut off by a comma only (and not before «но/а/однако»): it joins the next clause."""
    if not boundary.group().startswith(","):
        return False
    after = boundary.end()
    # the next two characters decide `startswith("и ")` of the lower-cased rest (`lower` maps per character)
    if _LEADING_CONJUNCTION.match(text, after) and not text[after : after + 2].lower().startswith("и "):
        return False
    return len(text[start : boundary.start()].split()) < MIN_CLAUSE_WORDS


def _add(text: str, start: int, end: int, out: list[Clause]) -> None:
    while start < end and text[start] in _TRIM:
        start += 1
    conjunction = _LEADING_CONJUNCTION.match(text, start, end)
    if conjunction and end - conjunction.end() >= MIN_CLAUSE_CHARS:
        start = conjunction.end()
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    if end - start >= MIN_CLAUSE_CHARS:
        out.append(Clause(start, end, text[start:end]))


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))
