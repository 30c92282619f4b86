"""The one check every scoring route makes on a text, with the status code that fits the reason."""

from fastapi import HTTPException

from training.predict import unscorable_reason


def require_scorable(text: object, max_chars: int, where: str = "") -> None:
    """413 for a text over the limit, 422 for anything else that cannot be scored."""
    if isinstance(text, str) and len(text) > max_chars:
        raise HTTPException(
            status_code=413, detail=f"{where}'text' is {len(text)} characters; the limit is {max_chars}"
        )
    reason = unscorable_reason(text, max_chars)
    if reason:
        raise HTTPException(status_code=422, detail=f"{where}{reason}")
