from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, status

from serve.dependencies import SessionDep, StateDep
from serve.schemas import CorrectionPublic, ReplyCorrection, TicketCorrection, error_responses
from serve.store import Correction, Ticket
from serve.validation import require_scorable

router = APIRouter(prefix="/v1/corrections", tags=["corrections"])

Payload = Annotated[TicketCorrection | ReplyCorrection, Body(discriminator="target")]


@router.post(
    "",
    response_model=CorrectionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 404, 413, 422),
)
def create_correction(body: Payload, session: SessionDep, state: StateDep) -> Correction:
    """Store an agent's correction of a ticket (severity, signals) or of a draft (tone, spans, elements)."""
    labels = body.model_dump(include={"severity", "signals", "tone", "spans", "elements"}, exclude_none=True)
    if not labels:
        raise HTTPException(status_code=422, detail="a correction must set at least one label field")
    if isinstance(body, TicketCorrection):
        ticket = session.get(Ticket, body.ticket_id)
        if ticket is None:
            raise HTTPException(status_code=404, detail=f"ticket {body.ticket_id} not found")
        values = {"ticket_id": ticket.id, "text": ticket.text, "model_version": ticket.model_version}
    else:
        # the draft was checked by /v1/replies/check, so it must be a text that check accepts
        require_scorable(body.text, state.settings.max_text_chars)
        for k, span in enumerate(body.spans or []):
            piece = body.text[span.start : span.end]
            if span.end > len(body.text) or span.start >= span.end or piece != piece.strip():
                raise HTTPException(status_code=422, detail=f"spans[{k}] is not a trimmed passage of the text")
        if "spans" in labels and body.tone not in (None, "blame_shifting") and labels["spans"]:
            raise HTTPException(status_code=422, detail="only a blame_shifting draft can have spans")
        values = {"ticket_id": None, "text": body.text, "model_version": body.model_version}
    correction = Correction(target=body.target, labels=labels, agent=body.agent, note=body.note, **values)
    session.add(correction)
    session.commit()
    return correction
