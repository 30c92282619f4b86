from fastapi import APIRouter

from serve.dependencies import StateDep, ToneModel
from serve.schemas import ReplyCheckPublic, ReplyCheckRequest, error_responses
from serve.validation import require_scorable

router = APIRouter(prefix="/v1/replies", tags=["replies"])


@router.post("/check", response_model=ReplyCheckPublic, responses=error_responses(400, 413, 422, 503))
async def check_reply(body: ReplyCheckRequest, model: ToneModel, state: StateDep) -> ReplyCheckPublic:
    """Lint a draft reply: verdict, blame-shifting spans with messages, missing elements. Stores nothing."""
    # async on purpose: no I/O, ~3 ms of CPU that holds the GIL either way; a thread-pool hop per
    # check cost 13 % of the server's time under load (benchmarks/RESULTS.md, server load)
    require_scorable(body.text, state.settings.max_text_chars)
    result = model.model.check([body.text], model.version)[0]
    state.metrics.tones.labels(result["tone"]).inc()
    return ReplyCheckPublic(**result)
