"""An exclusive lock on a file, for read-modify-write steps that several processes may take at once
(the model registry, a SQLite database's migration). `flock` is per open file, so threads of one
process exclude each other too; it is released when the holder exits, even when it is killed."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive `flock` on `path` (created if missing) for the `with` block."""
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
