from fastapi import APIRouter, HTTPException

from serve.dependencies import ToneModel
from serve.schemas import ReplyCheckPublic, ReplyCheckRequest
from training.predict import unscorable_reason

router = APIRouter(prefix="/v1/replies", tags=["replies"])


@router.post("/check", response_model=ReplyCheckPublic)
def check_reply(body: ReplyCheckRequest, model: ToneModel) -> ReplyCheckPublic:
    """Lint a draft reply: verdict, blame-shifting spans with messages, missing elements. Stores nothing."""
    reason = unscorable_reason(body.text)
    if reason:
        raise HTTPException(status_code=422, detail=reason)
    return ReplyCheckPublic(**model.model.check([body.text], model.version)[0])
