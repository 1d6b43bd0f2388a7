"""Rendering each chart once per distinct content, in memory and optionally on disk.

matplotlib is imported on the first render, not with this module: the bot and the
command line start without paying for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from knowledge.base.schema import Entry
from knowledge.errors import ChartError
from knowledge.texts import staff

# Bump when the drawing changes so cached PNGs are redrawn.
CHART_VERSION = "1"


def _key(kind: str, payload: object) -> str:
    document = {"kind": kind, "version": CHART_VERSION, "data": payload}
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def procedure_key(entry: Entry) -> str:
    """The cache key of an entry's flow chart: a hash of exactly what the chart draws."""
    procedures = [p.model_dump(mode="json") for p in entry.procedures]
    return _key("procedure", {"title": entry.title, "procedures": procedures})


def finance_key(entry: Entry) -> str:
    """The cache key of an entry's finance chart."""
    finance = entry.finance.model_dump(mode="json") if entry.finance is not None else None
    return _key("finance", {"title": entry.title, "finance": finance})


class ChartCache:
    """Renders each distinct chart once; keeps PNGs in memory and, optionally, on disk.

    Files are `<directory>/<kind>-<first 16 hex of key>.png`, written atomically.
    `render_count` counts actual renders (cache misses on both levels).
    """

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.render_count = 0
        self._memory: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def procedure(self, entry: Entry) -> bytes:
        """The flow chart of `entry` (ChartError when it has no procedures)."""
        if not entry.procedures:
            raise ChartError(staff.CHART_NO_PROCEDURE.format(entry=entry.id))
        from knowledge.charts.flow import procedure_chart

        return self._get("procedure", procedure_key(entry), lambda: procedure_chart(entry))

    def finance(self, entry: Entry) -> bytes:
        """The finance chart of `entry` (ChartError when it has no finance table)."""
        if entry.finance is None:
            raise ChartError(staff.CHART_NO_FINANCE.format(entry=entry.id))
        from knowledge.charts.finance import finance_chart

        return self._get("finance", finance_key(entry), lambda: finance_chart(entry))

    def _path(self, kind: str, key: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"{kind}-{key[:16]}.png"

    def _get(self, kind: str, key: str, render: Callable[[], bytes]) -> bytes:
        with self._lock:
            cached = self._memory.get((kind, key))
        if cached is not None:
            return cached
        path = self._path(kind, key)
        data = _read_png(path) if path is not None else None
        if data is None:
            data = render()
            with self._lock:
                self.render_count += 1
            if path is not None:
                _write_atomically(path, data)
        with self._lock:
            self._memory[(kind, key)] = data
        return data


def _read_png(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if data.startswith(b"\x89PNG") else None


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
