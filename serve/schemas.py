"""Typed request and response models of the API (`XCreate` in, `XPublic` out)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["low", "medium", "high", "critical"]
Tone = Literal["accountable", "neutral", "blame_shifting"]
Status = Literal["open", "in_progress", "resolved", "closed"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


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


class ModelPublic(BaseModel):
    task: str
    version: str
    created_at: str | None
    metrics: dict


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    status: Literal["ready", "not_ready"]
    models: dict[str, str | None]
    database: bool
