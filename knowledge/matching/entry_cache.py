"""The validated entries of one knowledge version, kept in a file beside the index.

Reading 10,000 entries from the database and validating their JSON with pydantic takes
about 4.3 s; unpickling the same `Entry` objects (a 160 MB file) about 2.2 s. The file
is keyed by the knowledge version (newest revision id and entry count), the database and
the shape of `Entry`, so a file from another version, database or release of the code is
not read; the caller then reads the database and writes the file again.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path

from knowledge.schema import Entry

FORMAT = 1
KEEP_FILES = 2  # the current file and the one before it (a process may still read it)
PREFIX = "entries-"


def _schema_digest() -> str:
    schema = json.dumps(Entry.model_json_schema(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(schema.encode()).hexdigest()


def entries_key(database: str, version: tuple[int, int]) -> str:
    """Which file holds the entries of `version` of the knowledge in `database`."""
    digest = hashlib.sha256(f"{FORMAT}\n{database}\n{_schema_digest()}\n".encode())
    digest.update(f"{version[0]}:{version[1]}".encode())
    return digest.hexdigest()[:20]


def entries_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{PREFIX}{key}.pickle"


def load(cache_dir: Path, key: str, count: int) -> list[Entry] | None:
    """The entries kept for `key`; None when there are none (or the file is damaged)."""
    try:
        with entries_path(cache_dir, key).open("rb") as file:  # streamed: not 160 MB of bytes
            data = pickle.load(file)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged or foreign file: read the database instead
        return None
    if (
        not isinstance(data, dict)
        or data.get("key") != key
        or not isinstance(entries := data.get("entries"), list)
        or len(entries) != count
        or not all(isinstance(e, Entry) for e in entries)
    ):
        return None
    return entries


def save(cache_dir: Path, key: str, entries: list[Entry]) -> None:
    """Write the entries for `key` (atomically: a reader sees the whole file or none)."""
    target = entries_path(cache_dir, key)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{PREFIX}", dir=cache_dir)
        try:
            with os.fdopen(fd, "wb") as out:
                pickle.dump({"key": key, "entries": entries}, out, protocol=5)
            os.replace(name, target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        _prune(cache_dir, keep=target)
    except OSError:
        pass  # a read-only cache: the entries are read from the database next time


def _prune(cache_dir: Path, keep: Path) -> None:
    """Remove older entries files, keeping the newest few."""
    found = sorted(
        (p for p in cache_dir.glob(f"{PREFIX}*.pickle") if p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in found[KEEP_FILES - 1 :]:
        old.unlink(missing_ok=True)
