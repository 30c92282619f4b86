"""The LanguageTool HTTP API shape, so editors and browser extensions that speak to a LanguageTool
server can show blame-shifting matches unchanged.

LanguageTool counts offsets in UTF-16 code units (as JavaScript does); Python counts code points.
They differ after any character outside the Basic Multilingual Plane (most emoji): each such
character is one code point but two UTF-16 units. `to_utf16` converts at this boundary only.
"""

from __future__ import annotations

from typing import Any

from training.text import sentence_spans

SOFTWARE = {
    "name": "complaint-triage",
    "version": "0.1.0",
    "buildDate": "2026-11-27",
    "apiVersion": 1,
    "premium": False,
    "status": "",
}
CATEGORY_NAMES = {
    "blames_customer": "Blames the customer",
    "policy_shield": "Hides behind policy",
    "third_party": "Blames a third party",
    "deflection": "Sends the customer elsewhere",
    "stonewalling": "No information, no owner, no date",
    "condescension": "Talks down to the customer",
    "customer_burden": "Makes the customer do the work",
    "minimizing": "Belittles the harm",
}
CONTEXT_CHARS = 40


def to_utf16(text: str, index: int) -> int:
    """UTF-16 code units before code-point `index` of `text`."""
    return index + sum(1 for char in text[:index] if ord(char) > 0xFFFF)


def language_block(code: str) -> dict[str, Any]:
    return {
        "name": "Russian",
        "code": code,
        "detectedLanguage": {"name": "Russian", "code": "ru-RU", "confidence": 0.99},
    }


def to_matches(text: str, result: dict[str, Any]) -> list[dict[str, Any]]:
    """LanguageTool `matches` for the blame-shifting spans of one check result."""
    sentences = sentence_spans(text)
    matches = []
    for span in result["spans"]:
        start, end = span["start"], span["end"]
        left = max(0, start - CONTEXT_CHARS)
        right = min(len(text), end + CONTEXT_CHARS)
        context = text[left:right]
        sentence = next((text[a:b] for a, b in sentences if a <= start < b), span["text"])
        offset = to_utf16(text, start)
        matches.append(
            {
                "message": span["message"],
                "shortMessage": CATEGORY_NAMES[span["label"]],
                "replacements": [{"value": span["suggestion"]}],
                "offset": offset,
                "length": to_utf16(text, end) - offset,
                "context": {
                    "text": context,
                    "offset": to_utf16(context, start - left),
                    "length": to_utf16(context, end - left) - to_utf16(context, start - left),
                },
                "sentence": sentence,
                "type": {"typeName": "Hint"},
                "rule": {
                    "id": f"BLAME_{span['label'].upper()}",
                    "description": CATEGORY_NAMES[span["label"]],
                    "issueType": "style",
                    "category": {"id": "BLAME_SHIFTING", "name": "Blame-shifting"},
                },
            }
        )
    return matches
