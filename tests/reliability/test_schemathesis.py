"""Schemathesis against the served OpenAPI schema: every operation, positive and negative data.

Requests go through schemathesis's in-process ASGI transport to `create_app(...)` on a temporary
SQLite file with the real trained models, the agent key on every request (the admin key on admin
routes). Each response is checked for 5xx, declared status code, content type, headers and body
schema; negative data must also be rejected. Failures are collected (with a curl line each) rather
than shrunk, so the run stays bounded: at most `EXAMPLES[mode]` cases per operation, no shrinking,
and a Hypothesis deadline well above any normal request that only catches a hang.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from serve.app import create_app
from serve.settings import Settings
from tests.api.conftest import ADMIN_KEY, AGENT_KEY, KEYS

MIN_REQUESTS = 2_000
EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 150, schemathesis.GenerationMode.NEGATIVE: 90}
ADMIN_OPERATIONS = {
    "POST /v1/models/reload",
    "POST /v1/models/{model}/promote",
    "POST /v1/models/{model}/rollback",
    "GET /v1/corrections/export",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SEED_TICKETS = [
    "Добрый день. В подъезде сильно пахнет газом, соседи волнуются.",
    "Курьер опоздал на час, но заказ привёз целым.",
    "Третий день нет интернета, пишу уже второй раз.",
]


def test_every_operation_conforms_to_its_schema(served_models: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"  # its own copy: the admin operations are fuzzed too (promote, rollback)
    shutil.copytree(served_models, models)
    settings_ = Settings(
        database_url=f"sqlite:///{tmp_path / 'fuzz.db'}",
        models_dir=models,
        data_dir=Path(__file__).resolve().parents[2] / "data",
        api_keys=KEYS,
        batch_limit=20,
        rate_limit_per_second=0,
        model_poll_seconds=0,
    )
    app = create_app(settings_)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    agent = {"Authorization": f"Bearer {AGENT_KEY}"}
    with asgi.get_client(app) as seeder:  # starts the app's lifespan once, shared by every case below
        for text in SEED_TICKETS:
            assert seeder.post("/v1/tickets", json={"text": text}, headers=agent).status_code == 201

    requests: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    failures: dict[tuple[str, str], str] = {}

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17, [op.label for op in operations]
    try:
        for operation in operations:
            key = ADMIN_KEY if operation.label in ADMIN_OPERATIONS else AGENT_KEY
            headers = {"Authorization": f"Bearer {key}"}
            for mode, examples in EXAMPLES.items():
                if mode.is_negative and not has_inputs(operation):
                    continue  # nothing to make invalid (GET /healthz, /readyz, /v1/models, POST reload)
                checks = [*CHECKS, negative_data_rejection] if mode.is_negative else CHECKS
                fuzz(operation, mode, examples, headers, checks, requests, statuses, failures)
    finally:
        asgi.shutdown_lifespans()

    total = sum(requests.values())
    codes = dict(sorted(statuses.items()))
    print(f"\nschemathesis: {total} requests over {len(requests)} operations; status codes {codes}")
    for label, count in sorted(requests.items()):
        print(f"  {count:5d}  {label}")
    assert not failures, "\n\n".join(f"{op} — {title}\n{detail}" for (op, title), detail in failures.items())
    assert total >= MIN_REQUESTS, f"only {total} requests ran"
    assert not any(code >= 500 for code in statuses)


def has_inputs(operation: schemathesis.APIOperation) -> bool:
    return any(len(group) for group in (operation.path_parameters, operation.query, operation.headers, operation.body))


def fuzz(
    operation: schemathesis.APIOperation,
    mode: schemathesis.GenerationMode,
    examples: int,
    headers: dict[str, str],
    checks: list,
    requests: Counter[str],
    statuses: Counter[int],
    failures: dict[tuple[str, str], str],
) -> None:
    """Up to `examples` generated cases of one operation; check failures are recorded, not raised."""

    @settings(
        max_examples=examples,
        deadline=timedelta(seconds=10),
        phases=[Phase.explicit, Phase.generate],
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        requests[case.operation.label] += 1
        try:
            response = case.call_and_validate(headers=headers, checks=checks, timeout=30)
            statuses[response.status_code] += 1
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.setdefault(
                    (case.operation.label, failure.title),
                    f"{failure.message}\n    {case.as_curl_command(headers=headers)}",
                )
        except Exception as exc:  # the in-process transport re-raises what a real server would turn into a 500
            statuses[500] += 1
            failures.setdefault(
                (case.operation.label, f"unhandled {type(exc).__name__}"),
                f"{exc}\n    {case.as_curl_command(headers=headers)}",
            )

    run()


@pytest.fixture(autouse=True)
def _no_stray_lifespans():
    yield
    asgi.shutdown_lifespans()
