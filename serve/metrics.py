"""Prometheus metrics: requests by route and status, their latency, and predictions per level.

Each app gets its own registry, so several apps in one process (tests) never share counters.
Behind N workers (`serve.runner` with `workers > 1`) every worker writes its values to files in
`PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode, chosen when the variable is set
before the worker imports prometheus_client), and `/metrics` adds up all workers' files: whichever
worker answers the scrape, the counts are the server's, not one worker's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.requests = Counter(
            "triage_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "triage_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.severities = Counter(
            "triage_ticket_predictions_total", "Ticket predictions by level", ["severity"], registry=self.registry
        )
        self.tones = Counter("triage_reply_checks_total", "Reply checks by verdict", ["tone"], registry=self.registry)


def exposition(metrics: Metrics) -> bytes:
    """The text `/metrics` serves: this app's registry, or every worker's values in multiprocess mode."""
    directory = os.environ.get(MULTIPROCESS_DIR)
    if not directory:
        return generate_latest(metrics.registry)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return generate_latest(registry)
