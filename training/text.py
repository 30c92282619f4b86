"""Shared text processing: the one place where training and serving turn raw text into tokens.

Everything works token by token on the original string, so every token keeps its character offsets
and evidence can be highlighted in the text the customer wrote. Latin-script Russian ("internet ne
rabotaet") is transliterated per token, so translit tickets are scored like Cyrillic ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import pymorphy3

_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)

_TRANSLIT: tuple[tuple[str, str], ...] = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("yu", "ю"), ("ya", "я"), ("yo", "ё"), ("ye", "е"), ("ju", "ю"), ("ja", "я"), ("jo", "ё"),
    ("iy", "ий"), ("yj", "ый"), ("ij", "ий"), ("oj", "ой"), ("oy", "ой"), ("ay", "ай"), ("ey", "ей"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"),
    ("y", "ы"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"),
    ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "ц"), ("w", "в"), ("x", "кс"),
    ("q", "к"), ("j", "й"), ("'", "ь"),
)  # fmt: skip

NEGATIONS = frozenset({"не", "ни"})
"""Particles glued to the next lemma; «нет» is left alone, as «нет интернета» states an absence."""

_REPEAT_CONTACT = re.compile(
    r"(втор(ой|ую|ые)|трет(ий|ью|ьи)|четв[её]рт\w*|пят(ый|ую)|\d+[- ]?(й|ий|ый))\s+(раз|неделю|день|месяц|обращени)"
    r"|(не|уже)\s+(в\s+)?(первый|первую)\s+раз|в\s+очередной\s+раз|повторн\w+|снова\s+пиш|опять\s+пиш"
    r"|пиш[уе]\w*\s+уже|звон\w+\s+уже|уже\s+(\d+|дв[аое]\w*|тр[иое]\w*|пят\w*|несколько)\s+раз"
    r"|(\d+|дв[аое]\w*|тр[иое]\w*|пят\w*|несколько|сто)\s+раз\s+(звон|пис|обращ)"
    r"|(обращ|звон|пис)\w*\s+(уже\s+)?(\d+|дв[аое]\w*|тр[иое]\w*|пят\w*|несколько|много)\s+раз",
    re.IGNORECASE,
)


class Token(NamedTuple):
    """A word of the original text with its offsets, its normalised form and its lemma."""

    start: int
    end: int
    text: str
    norm: str
    lemma: str


@lru_cache(maxsize=1)
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def transliterate(word: str) -> str:
    """Latin-script Russian to Cyrillic, longest match first; anything else passes through."""
    out: list[str] = []
    k = 0
    lower = word.lower()
    while k < len(lower):
        for latin, cyrillic in _TRANSLIT:
            if lower.startswith(latin, k):
                out.append(cyrillic)
                k += len(latin)
                break
        else:
            out.append(lower[k])
            k += 1
    return "".join(out)


def normalise_word(word: str) -> str:
    """Lower case, ё as е, Latin-script words transliterated."""
    lower = word.lower()
    if _LATIN.search(lower) and not _CYRILLIC.search(lower):
        lower = transliterate(lower)
    return lower.replace("ё", "е")


@lru_cache(maxsize=200_000)
def lemma(norm: str) -> str:
    """The most likely dictionary form (context-free; cached because words repeat a lot)."""
    if not _CYRILLIC.search(norm):
        return norm
    try:
        return _morph().parse(norm)[0].normal_form.replace("ё", "е")
    except ValueError:  # pymorphy3 asks unicodedata.name() of a letter that has none (e.g. U+18087)
        return norm


@lru_cache(maxsize=200_000)
def is_known_word(norm: str) -> bool:
    try:
        return bool(_CYRILLIC.search(norm)) and _morph().word_is_known(norm)
    except ValueError:
        return False


@lru_cache(maxsize=200_000)
def _word_forms(word: str) -> tuple[str, str]:
    norm = normalise_word(word)
    return norm, lemma(norm)


def tokenize(text: str) -> list[Token]:
    new, forms = tuple.__new__, _word_forms  # `Token(...)` without its Python-level __new__
    return [
        new(Token, (match.start(), match.end(), word, *forms(word)))
        for match in _TOKEN.finditer(text)
        for word in (match.group(),)
    ]


def lemma_stream(tokens: list[Token]) -> list[str]:
    """Lemmas with negation glued to the next word («не работает» → «не_работать»)."""
    out: list[str] = []
    negate = False
    for token in tokens:
        if token.lemma in NEGATIONS:
            negate = True
            out.append(token.lemma)
            continue
        out.append(f"не_{token.lemma}" if negate else token.lemma)
        negate = False
    return out


@dataclass(frozen=True)
class Analysis:
    """Everything the models read from one text, computed once per text."""

    tokens: tuple[Token, ...]
    stream: tuple[str, ...]
    """Lemmas with negation glued, one per token (see `lemma_stream`)."""

    @property
    def lemma_text(self) -> str:
        return " ".join(self.stream)

    @property
    def norms(self) -> tuple[str, ...]:
        return tuple(t.norm for t in self.tokens)


@lru_cache(maxsize=1024)
def analyse(text: str) -> Analysis:
    """Tokens and lemma stream of a text; cached so the severity and signal models share one pass.

    Sized for one batch (the CLI's and the API's are at most 500 texts), not for history: a server
    never sees most texts twice, and 8,192 cached analyses grew a worker by ~170 MB under load
    (benchmarks/RESULTS.md, memory)."""
    tokens = tokenize(text)
    return Analysis(tuple(tokens), tuple(lemma_stream(tokens)))


def repeat_contact_spans(text: str) -> list[tuple[int, int]]:
    """Where the customer says this is not their first contact («пишу уже третий раз»)."""
    return [m.span() for m in _REPEAT_CONTACT.finditer(text)]


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Rough sentences (cut after . ! ? … followed by space, or at line breaks) as trimmed offsets."""
    spans, start = [], 0
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[start:end]
        if piece.strip():
            left = start + len(piece) - len(piece.lstrip())
            spans.append((left, left + len(piece.strip())))
        if match:
            start = match.end()
    return spans


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def looks_russian(text: str) -> bool:
    """True for Cyrillic Russian and for translit Russian; False for English, Chinese, digits only.

    Translit is told from English by the share of transliterated words the Russian dictionary knows.
    """
    letters = sum(map(str.isalpha, text))  # counted in C: this runs on every request
    if not letters:
        return False
    cyrillic = len(_CYRILLIC.findall(text))  # every match is a letter
    if cyrillic / letters >= 0.3:
        return True
    latin_words = [t.norm for t in tokenize(text) if len(t.text) >= 3 and _LATIN.search(t.text)]
    if not latin_words:
        return False
    known = sum(is_known_word(w) for w in latin_words)
    return known / len(latin_words) >= 0.6
