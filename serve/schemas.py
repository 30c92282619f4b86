"""Typed request and response models of the API (`XCreate` in, `XPublic` out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Severity = Literal["low", "medium", "high", "critical"]
Tone = Literal["accountable", "neutral", "blame_shifting"]
Status = Literal["open", "in_progress", "resolved", "closed"]


MAX_ID = 2**63 - 1
"""The largest id a database row can have (SQLite's and PostgreSQL's 64-bit integers); larger is a 422, not a 500."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def storable(cls, value: Any) -> Any:
        """Refuse what no database can store: NUL (PostgreSQL text) and unpaired surrogates (not UTF-8)."""
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("contains a NUL character (\\u0000)")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as err:
                code = ord(value[err.start])
                raise ValueError(f"contains an unpaired surrogate (\\u{code:04x}), not Unicode text") from None
        return value


class TicketCreate(Strict):
    text: str = Field(description="The customer's message, in Russian (Cyrillic or translit).")
    external_id: str | None = Field(
        default=None, max_length=200, description="The help desk's id; makes posting idempotent."
    )
    channel: str | None = Field(default=None, max_length=50)
    customer: str | None = Field(default=None, max_length=200)


class TicketBatchCreate(Strict):
    tickets: list[TicketCreate] = Field(min_length=1)


class EvidenceSpan(BaseModel):
    start: int = Field(description="Python code-point offset into the text.")
    end: int
    text: str


class SignalPublic(BaseModel):
    label: str
    spans: list[EvidenceSpan]


class MessageCreate(Strict):
    text: str = Field(description="The customer's follow-up on the same ticket.")


class MessagePublic(BaseModel):
    id: int
    text: str
    created_at: datetime


class TicketPublic(BaseModel):
    id: int
    external_id: str | None
    text: str
    channel: str | None
    customer: str | None
    severity: Severity
    scores: dict[str, float]
    signals: list[SignalPublic]
    status: Status
    model_version: str
    created_at: datetime
    updated_at: datetime
    messages: list[MessagePublic] = Field(
        description="Follow-ups; with any, signal offsets index the thread: text and messages joined by a blank line."
    )


class TicketPage(BaseModel):
    items: list[TicketPublic]
    next_cursor: str | None


class TicketUpdate(Strict):
    status: Status


class ReplyCheckRequest(Strict):
    text: str = Field(description="The agent's draft reply.")
    complaint: str | None = Field(default=None, description="The complaint it answers (optional context).")


class BlameSpan(BaseModel):
    start: int
    end: int
    label: str
    text: str
    score: float
    message: str
    suggestion: str


class Elements(BaseModel):
    present: list[str]
    missing: list[str]


class ReplyCheckPublic(BaseModel):
    tone: Tone
    scores: dict[str, float]
    spans: list[BlameSpan]
    elements: Elements
    element_spans: dict[str, list[EvidenceSpan]]
    model_version: str


SignalName = Literal[
    "outage", "money", "repeat_contact", "churn_threat", "legal_threat",
    "safety", "security", "deadline", "many_affected", "staff_rudeness",
]  # fmt: skip
SpanCategory = Literal[
    "blames_customer", "policy_shield", "third_party", "deflection",
    "stonewalling", "condescension", "customer_burden", "minimizing",
]  # fmt: skip
ElementName = Literal["apology", "empathy", "ownership", "explanation", "remedy", "timeline", "compensation"]


class SpanLabel(Strict):
    start: int = Field(ge=0, description="Python code-point offset into the draft.")
    end: int = Field(gt=0)
    label: SpanCategory


class TicketCorrection(Strict):
    target: Literal["ticket"]
    ticket_id: int = Field(ge=1, le=MAX_ID)
    severity: Severity | None = None
    signals: list[SignalName] | None = None
    agent: str = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class ReplyCorrection(Strict):
    target: Literal["reply"]
    text: str = Field(min_length=1, description="The draft that was checked.")
    tone: Tone | None = None
    spans: list[SpanLabel] | None = Field(default=None, description="The full, corrected list of blame spans.")
    elements: list[ElementName] | None = Field(default=None, description="The elements present, corrected.")
    model_version: str | None = None
    agent: str = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class CorrectionPublic(BaseModel):
    id: int
    target: Literal["ticket", "reply"]
    ticket_id: int | None
    text: str
    labels: dict
    model_version: str | None
    agent: str
    note: str | None
    created_at: datetime


class FieldError(BaseModel):
    """One problem FastAPI found validating the request (its own format)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class ErrorMessage(BaseModel):
    """A refused request: `detail` says what is wrong."""

    detail: str


class ValidationProblem(BaseModel):
    """422: the request's fields as FastAPI lists them, or one sentence naming what cannot be scored or stored."""

    detail: str | list[FieldError]


ERROR_DESCRIPTIONS = {
    400: "Bad request: a body that is not UTF-8, a foreign cursor, an unsupported language or unscorable text (/v2).",
    401: "Missing or invalid API key.",
    403: "The key's role does not grant this endpoint.",
    404: "No such ticket, or no such model version.",
    409: "The registry cannot make that change: already the champion, or nothing to roll back to.",
    413: "A body over TRIAGE_MAX_BODY_BYTES, a text over TRIAGE_MAX_TEXT_CHARS or a batch over TRIAGE_BATCH_LIMIT.",
    422: "Invalid request: mistyped or unknown fields, empty or non-Russian text.",
    429: "The key's rate limit is exceeded; see Retry-After.",
    503: "A model is not loaded, or (export) the datasets cannot be read; `detail` says why.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route or router: the error statuses it really returns, with their bodies."""
    return {
        code: {"model": ValidationProblem if code == 422 else ErrorMessage, "description": ERROR_DESCRIPTIONS[code]}
        for code in codes
    }


class ModelPublic(BaseModel):
    task: str
    version: str | None
    """The version this process serves; null when none could be loaded (`load_error` says why)."""
    created_at: str | None
    metrics: dict
    champion: str | None = None
    """What the registry names champion (differs from `version` until the next reload)."""
    challenger: str | None = None
    load_error: str | None = None


class PromoteRequest(Strict):
    version: str = Field(
        min_length=1, max_length=100, description="A version of the model, as `triage models list` shows."
    )
    reason: str = Field("", max_length=1000, description="Why, for the registry's history.")


class RegistryEvent(BaseModel):
    """One entry of the registry's history, as `registry.json` keeps it."""

    model_config = ConfigDict(extra="allow")
    action: Literal["promote", "rollback"]
    version: str
    previous: str | None
    by: str
    at: str
    reason: str | None = None


class ModelChange(BaseModel):
    event: RegistryEvent
    models: list[ModelPublic]
    """What this process serves now; the other workers follow at their next registry poll."""


class ExportCountsPublic(BaseModel):
    read: int
    superseded: int
    overrides_changed: int
    overrides_unchanged: int
    new_records: int
    in_test_split: int
    """Corrections of test-split texts: never exported, so the test split stays a fair judge."""


class CorrectionsExport(BaseModel):
    """What `triage corrections export` writes, as JSON: `records` are guide-format lines for
    `triage retrain --with-corrections`."""

    task: Literal["tickets", "replies"]
    summary: str
    counts: ExportCountsPublic
    skipped: list[str]
    records: list[dict[str, Any]]


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ready", "not_ready"]
    models: dict[str, str | None]
    database: bool


class LTSoftware(BaseModel):
    """LanguageTool spells its fields in camelCase; these models keep its names."""

    name: str
    version: str
    buildDate: str
    apiVersion: int
    premium: bool
    status: str


class LTDetected(BaseModel):
    name: str
    code: str
    confidence: float


class LTLanguage(BaseModel):
    name: str
    code: str
    detectedLanguage: LTDetected


class LTReplacement(BaseModel):
    value: str


class LTContext(BaseModel):
    text: str
    offset: int = Field(description="UTF-16 code units into the context text.")
    length: int


class LTCategory(BaseModel):
    id: str
    name: str


class LTRule(BaseModel):
    id: str
    description: str
    issueType: str
    category: LTCategory


class LTType(BaseModel):
    typeName: str


class LTMatch(BaseModel):
    message: str
    shortMessage: str
    replacements: list[LTReplacement]
    offset: int = Field(description="UTF-16 code units into the text, as LanguageTool counts.")
    length: int
    context: LTContext
    sentence: str
    type: LTType
    rule: LTRule


class LTCheckResponse(BaseModel):
    software: LTSoftware
    language: LTLanguage
    matches: list[LTMatch]


class Lenient(BaseModel):
    """Help desks send many more fields than we read; those are ignored, what we read is typed."""

    model_config = ConfigDict(extra="ignore")


class ZendeskVia(Lenient):
    channel: str | None = None


class ZendeskTicket(Lenient):
    id: int | str
    subject: str | None = None
    description: str
    via: ZendeskVia | None = None


class ZendeskEvent(Lenient):
    """Zendesk-style: a trigger/webhook posting `{"ticket": {"id", "subject", "description", "via"}}`."""

    ticket: ZendeskTicket


class ZammadTicket(Lenient):
    id: int | str
    title: str | None = None


class ZammadArticle(Lenient):
    body: str
    type: str | None = None


class ZammadEvent(Lenient):
    """Zammad-style: a webhook posting `{"ticket": {"id", "title"}, "article": {"body", "type"}}`."""

    ticket: ZammadTicket
    article: ZammadArticle


class WebhookResult(BaseModel):
    ticket_id: int
    external_id: str
    severity: Severity
    scores: dict[str, float]
    tags: list[str] = Field(description="Tags to set in the help desk: severity_<level> and signal_<name>.")
    model_version: str
