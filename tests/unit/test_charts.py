"""The PNG charts: every shipped flow chart and finance table renders without missing glyphs."""

from __future__ import annotations

import io
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from matplotlib import font_manager
from PIL import Image

from knowledge.base.schema import Entry
from knowledge.base.store import shipped_entries
from knowledge.charts import style as charts
from knowledge.charts.cache import ChartCache
from knowledge.charts.finance import finance_chart
from knowledge.charts.flow import procedure_chart
from knowledge.charts.style import wrap_cjk
from knowledge.errors import ChartError
from tests.harness import make_entry

SHIPPED = shipped_entries()
WITH_PROCEDURES = [e for e in SHIPPED if e.procedures]
WITH_FINANCE = [e for e in SHIPPED if e.finance is not None]


def _strict(render: Callable[[], bytes]) -> bytes:
    """Render with every warning an error: a missing glyph fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return render()


def _check_png(data: bytes) -> None:
    assert data.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    assert 600 <= width <= 2400
    assert 300 <= height <= 5000


def test_a_cjk_font_is_found() -> None:
    assert charts.cjk_font().is_file()


@pytest.mark.parametrize("entry", WITH_PROCEDURES, ids=lambda e: e.id)
def test_procedure_chart_renders_every_shipped_flow(entry: Entry) -> None:
    _check_png(_strict(lambda: procedure_chart(entry)))


@pytest.mark.parametrize("entry", WITH_FINANCE, ids=lambda e: e.id)
def test_finance_chart_renders_every_shipped_table(entry: Entry) -> None:
    _check_png(_strict(lambda: finance_chart(entry)))


def test_shipped_data_has_both_kinds_of_chart() -> None:
    ids = {e.id for e in WITH_FINANCE}
    assert {"special-funds", "office-funds"} <= ids
    assert any(len(e.procedures) > 1 for e in WITH_PROCEDURES)


def test_missing_glyph_is_caught() -> None:
    """The no-warning checks above mean something: a glyph outside the font warns."""
    _strict(lambda: charts.render_text_probe("婚姻登记（30日）—示例"))
    with pytest.raises(UserWarning, match="missing from font"):
        _strict(lambda: charts.render_text_probe("\U0001f9ff"))


def test_long_text_wraps_and_renders() -> None:
    long_title = "书面申请并提交家庭经济状况核对授权书及其他全部材料"
    assert max(len(line) for line in wrap_cjk(long_title, 12)) <= 12
    assert wrap_cjk("核对，", 2) == ["核对，"]  # closing punctuation does not start a line
    entry = make_entry(
        procedures=[{"name": "办理", "steps": [{"title": long_title, "actor": "申请人$x$"}]}]
    )
    _check_png(_strict(lambda: procedure_chart(entry)))


def test_entries_without_data_raise_chart_error(tmp_path: Path) -> None:
    bare = make_entry(procedures=[])
    with pytest.raises(ChartError):
        procedure_chart(bare)
    with pytest.raises(ChartError):
        finance_chart(bare)
    with pytest.raises(ChartError):
        ChartCache(tmp_path).procedure(bare)


def test_cache_renders_once_and_rerenders_on_change() -> None:
    cache = ChartCache(None)
    entry = make_entry()
    first = cache.procedure(entry)
    assert cache.procedure(entry) == first
    assert cache.render_count == 1

    steps = [{"title": "申请", "actor": "申请人"}, {"title": "复核", "actor": "民政部门"}]
    changed = make_entry(procedures=[{"name": "办理", "steps": steps}])
    assert cache.procedure(changed) != first
    assert cache.render_count == 2
    cache.procedure(entry)
    assert cache.render_count == 2


def test_directory_cache_persists_across_instances(tmp_path: Path) -> None:
    finance_entry = next(e for e in WITH_FINANCE if e.id == "office-funds")
    first = ChartCache(tmp_path)
    png = first.finance(finance_entry)
    assert first.render_count == 1
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 1
    assert files[0].startswith("finance-") and files[0].endswith(".png")
    assert len(files[0]) == len("finance-") + 16 + len(".png")

    second = ChartCache(tmp_path)
    assert second.finance(finance_entry) == png
    assert second.render_count == 0


def test_missing_font_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fc_list(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("fc-list")

    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(subprocess, "run", no_fc_list)
    charts.cjk_font.cache_clear()
    try:
        with pytest.raises(ChartError, match=r"scripts/system-deps\.sh.*fonts-wqy-microhei"):
            charts.cjk_font()
    finally:
        monkeypatch.undo()
        charts.cjk_font.cache_clear()
    assert charts.cjk_font().is_file()
