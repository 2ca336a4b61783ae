"""Resource files stored under data_dir/opendata: written in chunks while hashed, read back as a
stream, so that no resource is ever held whole in memory."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str | None, fallback: str) -> str:
    """A file name fit for a URL path segment (letters, digits, . _ -)."""
    base = _UNSAFE.sub("-", Path(name or "").name).strip(".-")[:100]
    return base or fallback


def resource_path(data_dir: Path, resource_uid: str) -> Path:
    return data_dir / "opendata" / "resources" / resource_uid[:2] / resource_uid


def store(data_dir: Path, resource_uid: str, source: BinaryIO) -> tuple[Path, int, str]:
    """Copy an upload to its place; (path, size in bytes, 'sha256:<hex>')."""
    path = resource_path(data_dir, resource_uid)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    partial = path.with_suffix(".part")
    with partial.open("wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    os.replace(partial, path)
    return path, size, f"sha256:{digest.hexdigest()}"


def discard(path: Path | None) -> None:
    """Remove a stored file whose resource was not saved after all."""
    if path is not None:
        path.unlink(missing_ok=True)
