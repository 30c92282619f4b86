from fastapi import APIRouter, HTTPException

from serve.dependencies import StateDep, ToneModel
from serve.schemas import ReplyCheckPublic, ReplyCheckRequest
from training.predict import unscorable_reason

router = APIRouter(prefix="/v1/replies", tags=["replies"])


@router.post("/check", response_model=ReplyCheckPublic)
def check_reply(body: ReplyCheckRequest, model: ToneModel, state: StateDep) -> ReplyCheckPublic:
    """Lint a draft reply: verdict, blame-shifting spans with messages, missing elements. Stores nothing."""
    reason = unscorable_reason(body.text, state.settings.max_text_chars)
    if reason:
        raise HTTPException(status_code=422, detail=reason)
    return ReplyCheckPublic(**model.model.check([body.text], model.version)[0])
