"""API keys with two roles, and a rate limit per key.

`agent` keys score tickets, check drafts, send corrections and read the queue; `admin` keys may do
all that and also promote, roll back and reload models and export corrections. Keys are only ever
compared as sha256 digests, so a key file can hold digests instead of secrets (`triage keys new`
prints both). A missing or unknown key is a 401, a known key without the role a 403; neither says
which keys exist.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import math
import os
import secrets
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROLES = ("agent", "admin")
GRANTS = {"agent": {"agent"}, "admin": {"agent", "admin"}}


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class KeyRing:
    """Digest → role. Lookup compares every stored digest in constant time."""

    roles: dict[str, str]

    def role_of(self, key: str) -> str | None:
        return self.role_for(digest(key))

    def role_for(self, wanted: str) -> str | None:
        """The role of a key given its digest (the request path hashes once, for this and the limiter)."""
        found = None
        for stored, role in self.roles.items():
            if hmac.compare_digest(stored, wanted):
                found = role
        return found

    def __bool__(self) -> bool:
        return bool(self.roles)


def _role(role: str, where: str) -> str:
    role = role.strip()
    if role not in ROLES:
        raise ValueError(f"{where}: role must be one of {', '.join(ROLES)}, got '{role}'")
    return role


def parse_inline(value: str) -> dict[str, str]:
    """`agent:KEY1,admin:KEY2` → digest → role."""
    out = {}
    for k, item in enumerate(filter(None, (part.strip() for part in value.split(","))), 1):
        role, sep, key = item.partition(":")
        if not sep or not key.strip():
            raise ValueError(f"TRIAGE_API_KEYS item {k}: expected role:key")
        out[digest(key.strip())] = _role(role, f"TRIAGE_API_KEYS item {k}")
    return out


def parse_file(path: Path) -> dict[str, str]:
    """Lines `role sha256:<64 hex>` (comments with #); a plain key is refused so secrets stay off disk."""
    out = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[1].startswith("sha256:") or len(parts[1]) != 71:
            raise ValueError(f"{path}:{number}: expected 'role sha256:<64 hex digits>'")
        hexdigest = parts[1].removeprefix("sha256:").lower()
        int(hexdigest, 16)
        out[hexdigest] = _role(parts[0], f"{path}:{number}")
    return out


def load_keyring(inline: str, file: Path | None) -> KeyRing:
    roles = parse_inline(inline) if inline else {}
    if file is not None:
        roles.update(parse_file(file))
    return KeyRing(roles)


def new_key() -> str:
    return "ct_" + secrets.token_urlsafe(24)


@dataclass
class RateLimiter:
    """A token bucket per key digest: `rate` requests a second on average, bursts up to `burst`."""

    rate: float
    burst: float
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, key_digest: str) -> float:
        """0 when the request may go now (and is counted), else seconds until a token is free."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key_digest, (self.burst, now))
            tokens, wait = self._take(tokens, last, now)
            self._buckets[key_digest] = (tokens, now)
        return wait

    def _take(self, tokens: float, last: float, now: float) -> tuple[float, float]:
        """(tokens left, seconds to wait) after refilling since `last` and taking one token if there is one."""
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1:
            return tokens - 1, 0.0
        return tokens, (1 - tokens) / self.rate


BUCKET = struct.Struct("dd")  # tokens, last refill (CLOCK_MONOTONIC: one clock for every process)


@dataclass
class SharedRateLimiter(RateLimiter):
    """The same buckets in files under `directory`, one per key, so every worker of a server spends
    from one bucket (`serve.runner` gives N workers one directory): N workers no longer allow N times
    the limit. Each take is an exclusive `flock`, a read and a write of 16 bytes."""

    directory: Path = Path()
    _files: dict[str, int] = field(default_factory=dict)

    def wait_for(self, key_digest: str) -> float:
        if self.rate <= 0:
            return 0.0
        with self._lock:
            fd = self._files.get(key_digest)
            if fd is None:
                fd = os.open(self.directory / key_digest[:32], os.O_RDWR | os.O_CREAT, 0o600)
                self._files[key_digest] = fd
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                now = time.monotonic()
                raw = os.pread(fd, BUCKET.size, 0)
                tokens, last = BUCKET.unpack(raw) if len(raw) == BUCKET.size else (self.burst, now)
                tokens, wait = self._take(tokens, last, now)
                os.pwrite(fd, BUCKET.pack(tokens, now), 0)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        return wait


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
