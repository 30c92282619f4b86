from typing import Annotated, Literal

from fastapi import APIRouter, Body, HTTPException, status

from serve.dependencies import AdminKey, SessionDep, StateDep
from serve.schemas import CorrectionPublic, CorrectionsExport, ReplyCorrection, TicketCorrection, error_responses
from serve.store import Correction, Ticket, corrections_for_export
from serve.validation import require_scorable
from training.corrections import TARGET, export_for_task
from training.data import DataError

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


@router.get(
    "/export",
    response_model=CorrectionsExport,
    dependencies=[AdminKey],
    responses=error_responses(403, 422, 503),
)
def export_corrections(task: Literal["tickets", "replies"], session: SessionDep, state: StateDep) -> CorrectionsExport:
    """Stored corrections as guide-format records (`triage corrections export`): the latest correction
    of a text wins, train texts keep their id, corrections of test-split texts are left out and counted."""
    corrections = corrections_for_export(session, TARGET[task])
    try:
        records, counts = export_for_task(task, corrections, state.settings.data_dir)
    except DataError as err:
        raise HTTPException(status_code=503, detail=f"the {task} datasets cannot be read: {err}") from err
    return CorrectionsExport(
        task=task, summary=counts.summary(), counts=counts.as_dict(), skipped=counts.skipped, records=records
    )
