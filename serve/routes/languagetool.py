from typing import Annotated

from fastapi import APIRouter, Form, HTTPException

from serve.dependencies import StateDep, ToneModel
from serve.languagetool import SOFTWARE, language_block, to_matches
from serve.schemas import LTCheckResponse, error_responses
from training.predict import unscorable_reason

router = APIRouter(prefix="/v2", tags=["languagetool"])


@router.post("/check", response_model=LTCheckResponse, responses=error_responses(400, 413, 422, 503))
async def check(
    model: ToneModel,
    state: StateDep,
    text: Annotated[str, Form(description="The draft to check.")],
    language: Annotated[str, Form(description="A Russian code (ru, ru-RU) or auto.")] = "auto",
) -> LTCheckResponse:
    """LanguageTool-compatible check: blame-shifting spans as `matches`, offsets in UTF-16 code units."""
    if language != "auto" and not language.lower().startswith("ru"):
        raise HTTPException(status_code=400, detail=f"language '{language}' is not supported; use ru, ru-RU or auto")
    reason = unscorable_reason(text, state.settings.max_text_chars)
    if len(text) > state.settings.max_text_chars:
        raise HTTPException(status_code=413, detail=reason)  # as LanguageTool answers a text over its limit
    if reason:
        raise HTTPException(status_code=400, detail=reason)
    result = model.model.check([text], model.version)[0]
    code = "ru-RU" if language == "auto" else language
    return LTCheckResponse.model_validate(
        {"software": SOFTWARE, "language": language_block(code), "matches": to_matches(text, result)}
    )
