from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status

from serve.dependencies import SessionDep, SeverityModel, StateDep
from serve.metrics import Metrics
from serve.schemas import (
    MAX_ID,
    MessageCreate,
    Severity,
    Status,
    TicketBatchCreate,
    TicketCreate,
    TicketPage,
    TicketPublic,
    TicketUpdate,
    error_responses,
)
from serve.store import SEVERITY_RANK, Ticket, add_message, add_ticket, queue, rescore
from serve.validation import require_scorable
from training.labels import SIGNALS

router = APIRouter(prefix="/v1/tickets", tags=["tickets"])

TicketId = Annotated[int, Path(ge=1, le=MAX_ID, description="A stored ticket's id.")]
BODY_ERRORS = error_responses(400, 413, 422)


def _score_and_store(
    session: SessionDep, model: SeverityModel, items: list[TicketCreate], metrics: Metrics
) -> list[tuple[Ticket, bool]]:
    predictions = model.model.predict([item.text for item in items], model.version)
    for prediction in predictions:
        metrics.severities.labels(prediction["severity"]).inc()
    stored = []
    for item, prediction in zip(items, predictions, strict=True):
        values = {
            **item.model_dump(),
            "severity": prediction["severity"],
            "scores": prediction["scores"],
            "signals": prediction["signals"],
            "model_version": prediction["model_version"],
        }
        stored.append(add_ticket(session, values))
    return stored


@router.post(
    "",
    response_model=TicketPublic,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": TicketPublic, "description": "The `external_id` was stored before: that ticket, unchanged."},
        **BODY_ERRORS,
        **error_responses(503),
    },
)
def create_ticket(
    body: TicketCreate, session: SessionDep, model: SeverityModel, state: StateDep, response: Response
) -> Ticket:
    """Score and store a ticket. Posting an `external_id` again returns the stored ticket (200)."""
    require_scorable(body.text, state.settings.max_text_chars)
    ticket, created = _score_and_store(session, model, [body], state.metrics)[0]
    if not created:
        response.status_code = status.HTTP_200_OK
    return ticket


@router.post(
    "/batch",
    response_model=list[TicketPublic],
    status_code=status.HTTP_201_CREATED,
    responses={**BODY_ERRORS, **error_responses(503)},
)
def create_tickets(body: TicketBatchCreate, session: SessionDep, model: SeverityModel, state: StateDep) -> list[Ticket]:
    """Score and store up to `TRIAGE_BATCH_LIMIT` tickets; one bad ticket rejects the batch (nothing stored)."""
    if len(body.tickets) > state.settings.batch_limit:
        raise HTTPException(status_code=413, detail=f"at most {state.settings.batch_limit} tickets per batch")
    for k, item in enumerate(body.tickets):
        require_scorable(item.text, state.settings.max_text_chars, f"tickets[{k}]: ")
    return [ticket for ticket, _ in _score_and_store(session, model, body.tickets, state.metrics)]


@router.get("", response_model=TicketPage, responses=error_responses(400, 422))
def list_tickets(
    session: SessionDep,
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    cursor: str | None = None,
    severity: Severity | None = None,
    status_filter: Annotated[Status | None, Query(alias="status")] = None,
    signal: str | None = None,
) -> TicketPage:
    """The queue: most severe first, then oldest; `next_cursor` fetches the next page."""
    if signal is not None and signal not in SIGNALS:
        raise HTTPException(status_code=422, detail=f"unknown signal '{signal}'; expected one of {list(SIGNALS)}")
    try:
        items, next_cursor = queue(
            session, min(limit, state.settings.page_limit_max), cursor, severity, status_filter, signal
        )
    except ValueError as err:
        raise HTTPException(status_code=400, detail=str(err)) from err
    return TicketPage(
        items=[TicketPublic.model_validate(t, from_attributes=True) for t in items], next_cursor=next_cursor
    )


@router.get("/{ticket_id}", response_model=TicketPublic, responses=error_responses(404, 422))
def get_ticket(ticket_id: TicketId, session: SessionDep) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise HTTPException(status_code=404, detail=f"ticket {ticket_id} not found")
    return ticket


@router.patch("/{ticket_id}", response_model=TicketPublic, responses={**BODY_ERRORS, **error_responses(404)})
def update_ticket(ticket_id: TicketId, body: TicketUpdate, session: SessionDep) -> Ticket:
    """Change a ticket's status."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise HTTPException(status_code=404, detail=f"ticket {ticket_id} not found")
    ticket.status = body.status
    session.commit()
    return ticket


UNRESOLVED = ("open", "in_progress")


@router.post(
    "/{ticket_id}/messages",
    response_model=TicketPublic,
    status_code=status.HTTP_201_CREATED,
    responses={**BODY_ERRORS, **error_responses(404, 503)},
)
def add_follow_up(
    ticket_id: TicketId, body: MessageCreate, session: SessionDep, model: SeverityModel, state: StateDep
) -> Ticket:
    """A customer's follow-up: stored, and the ticket re-scored on the whole thread.

    A follow-up on an unresolved ticket is a repeat contact, which the guide puts at `high` or above:
    the level is raised to at least `high` and `repeat_contact` is added with the follow-up as evidence.
    A thread longer than the text limit is scored on its most recent part.
    """
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise HTTPException(status_code=404, detail=f"ticket {ticket_id} not found")
    require_scorable(body.text, state.settings.max_text_chars)
    add_message(session, ticket, body.text)
    thread = ticket.thread
    cut = max(0, len(thread) - state.settings.max_text_chars)
    prediction = model.model.predict([thread[cut:]], model.version)[0]
    for signal in prediction["signals"]:
        for span in signal["spans"]:
            span["start"] += cut
            span["end"] += cut
    if ticket.status in UNRESOLVED:
        if SEVERITY_RANK[prediction["severity"]] < SEVERITY_RANK["high"]:
            prediction["severity"] = "high"
        if all(s["label"] != "repeat_contact" for s in prediction["signals"]):
            evidence = {"start": len(thread) - len(body.text), "end": len(thread), "text": body.text}
            prediction["signals"].append({"label": "repeat_contact", "spans": [evidence]})
    rescore(ticket, prediction)
    session.commit()
    return ticket
