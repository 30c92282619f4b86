from fastapi import APIRouter

from serve.dependencies import StateDep, ToneModel
from serve.schemas import ReplyCheckPublic, ReplyCheckRequest, error_responses
from serve.validation import require_scorable

router = APIRouter(prefix="/v1/replies", tags=["replies"])


@router.post("/check", response_model=ReplyCheckPublic, responses=error_responses(400, 413, 422, 503))
def check_reply(body: ReplyCheckRequest, model: ToneModel, state: StateDep) -> ReplyCheckPublic:
    """Lint a draft reply: verdict, blame-shifting spans with messages, missing elements. Stores nothing."""
    require_scorable(body.text, state.settings.max_text_chars)
    result = model.model.check([body.text], model.version)[0]
    state.metrics.tones.labels(result["tone"]).inc()
    return ReplyCheckPublic(**result)
