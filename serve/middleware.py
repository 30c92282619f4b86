"""The body-size limit and the request metrics, as one plain ASGI middleware.

Plain ASGI rather than `@app.middleware("http")`: Starlette's `BaseHTTPMiddleware` wraps every
request in a task group, an event and a stream for the body, which cost the server about as much
CPU as FastAPI's routing and validation together (py-spy under check load, benchmarks/RESULTS.md).
"""

from __future__ import annotations

import time

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serve.metrics import Metrics


class LimitAndMeasure:
    """Refuse a declared body over `max_body_bytes` with 413; count every HTTP request and time it by route."""

    def __init__(self, app: ASGIApp, metrics: Metrics, max_body_bytes: int) -> None:
        self.app, self.metrics, self.max_body_bytes = app, metrics, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before it starts a response

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if self.declared_length(scope) > self.max_body_bytes:
                detail = {"detail": f"body larger than {self.max_body_bytes} bytes"}
                await JSONResponse(detail, status_code=413)(scope, receive, send_and_note_status)
            else:
                await self.app(scope, receive, send_and_note_status)
        finally:
            route = scope.get("route")  # set by the router on this same scope once a route matched
            path = route.path if route is not None else "unmatched"
            self.metrics.requests.labels(scope["method"], path, str(status)).inc()
            self.metrics.latency.labels(scope["method"], path).observe(time.perf_counter() - started)

    @staticmethod
    def declared_length(scope: Scope) -> int:
        for name, value in scope["headers"]:
            if name == b"content-length":
                return int(value) if value.isdigit() else 0
        return 0
