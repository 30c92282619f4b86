"""The label sets of the labeling guide (shared/labeling-guide.md): the one schema of the project."""

SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
"""Ordered from least to most harmful; the order matters for ordinal decisions."""

SIGNALS: tuple[str, ...] = (
    "outage",
    "money",
    "repeat_contact",
    "churn_threat",
    "legal_threat",
    "safety",
    "security",
    "deadline",
    "many_affected",
    "staff_rudeness",
)

TONES: tuple[str, ...] = ("accountable", "neutral", "blame_shifting")

SPAN_CATEGORIES: tuple[str, ...] = (
    "blames_customer",
    "policy_shield",
    "third_party",
    "deflection",
    "stonewalling",
    "condescension",
    "customer_burden",
    "minimizing",
)

ELEMENTS: tuple[str, ...] = (
    "apology",
    "empathy",
    "ownership",
    "explanation",
    "remedy",
    "timeline",
    "compensation",
)

CHANNELS: tuple[str, ...] = (
    "email",
    "chat",
    "social",
    "app_review",
    "call",
    "pretenziya",
    "web_form",
    "messenger",
)
"""Optional metadata kept by our own corpora; not required of records from elsewhere."""
