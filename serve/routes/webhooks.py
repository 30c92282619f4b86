from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException
from pydantic import ValidationError

from serve.dependencies import SessionDep, SeverityModel, StateDep
from serve.schemas import TicketCreate, WebhookResult, ZammadEvent, ZendeskEvent, error_responses
from serve.store import add_ticket
from serve.validation import require_scorable

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


def _as_ticket(payload: dict[str, Any]) -> TicketCreate:
    """Read a Zammad-style event (it has an `article`) or a Zendesk-style one; 422 for anything else."""
    try:
        if "article" in payload:
            event = ZammadEvent.model_validate(payload)
            text = "\n\n".join(p for p in (event.ticket.title, event.article.body) if p)
            return TicketCreate(external_id=f"zammad:{event.ticket.id}", text=text, channel=event.article.type)
        zendesk = ZendeskEvent.model_validate(payload)
        text = "\n\n".join(p for p in (zendesk.ticket.subject, zendesk.ticket.description) if p)
        channel = zendesk.ticket.via.channel if zendesk.ticket.via else None
        return TicketCreate(external_id=f"zendesk:{zendesk.ticket.id}", text=text, channel=channel)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors()[:5])
        raise HTTPException(
            status_code=422, detail=f"not a Zendesk- or Zammad-style ticket event ({problems})"
        ) from err


@router.post("/helpdesk", response_model=WebhookResult, responses=error_responses(400, 413, 422, 503))
def helpdesk_event(
    payload: Annotated[dict[str, Any], Body()], session: SessionDep, model: SeverityModel, state: StateDep
) -> WebhookResult:
    """A ticket-created event from a help desk: scored, stored once per help-desk ticket, tags returned."""
    item = _as_ticket(payload)
    require_scorable(item.text, state.settings.max_text_chars)
    prediction = model.model.predict([item.text], model.version)[0]
    values = {**item.model_dump(), **{k: prediction[k] for k in ("severity", "scores", "signals", "model_version")}}
    ticket, _ = add_ticket(session, values)
    tags = [f"severity_{ticket.severity}", *(f"signal_{s['label']}" for s in ticket.signals)]
    return WebhookResult(
        ticket_id=ticket.id,
        external_id=ticket.external_id or "",
        severity=ticket.severity,
        scores=ticket.scores,
        tags=tags,
        model_version=ticket.model_version,
    )
