"""Server settings from `TRIAGE_*` environment variables (pydantic-settings)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRIAGE_", extra="ignore")

    database_url: str = "sqlite:///var/triage.db"
    """SQLite file by default; a `postgresql+psycopg://…` URL for PostgreSQL."""
    models_dir: Path = Path("models")
    data_dir: Path = Path("data")
    """The datasets; `GET /v1/corrections/export` reads the splits to keep test texts out of training."""
    max_text_chars: int = 20_000
    max_body_bytes: int = 1_000_000
    batch_limit: int = 500
    page_limit_max: int = 1000
    api_keys: str = ""
    """`agent:KEY1,admin:KEY2`. With neither this nor a key file, keys are generated at start and printed."""
    api_keys_file: Path | None = None
    """A file of `role sha256:<hex>` lines (`triage keys new` prints them): digests, never the keys."""
    rate_limit_per_second: float = 100.0
    """Requests a second per API key and process, on average; 0 turns the limit off."""
    rate_limit_burst: int = 200
    rate_limit_dir: Path | None = None
    """A folder shared by the workers of one server, so they spend from one bucket per key;
    `serve.runner` sets it for N > 1 workers. Unset: each process keeps its own buckets."""
    cors_origins: str = ""
    """Comma-separated origins allowed to call the API from a browser; empty (the default) allows none."""
    model_poll_seconds: float = 5.0
    """How often the registry is checked for a promoted or rolled-back model; 0 turns the watcher off."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
