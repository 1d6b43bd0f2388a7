"""PNG charts drawn from an entry's stored data: procedure flow charts and finance bars.

Figures are built with `matplotlib.figure.Figure` and the Agg canvas directly (never
pyplot), and every text element gets an explicit CJK `FontProperties`, so nothing
here touches matplotlib's global state. `ChartCache` renders each chart once per
distinct content and can keep the PNG files on disk between runs.

Layout is computed in inches: the flow chart draws on one axes that spans the whole
figure with data units equal to inches, which keeps circles round and spacing
predictable without a layout engine (and keeps rendering fast).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import subprocess
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Patch

from knowledge.schema import Entry, Finance, FinanceRow, Procedure, Step
from knowledge.vocabulary import SAMPLE_MARK

# Bump when the drawing changes so cached PNGs are redrawn.
CHART_VERSION = "1"

DPI = 150
SAMPLE_FOOTER = f"{SAMPLE_MARK}：金额为演示用，尚未经民政局核实"

PREFERRED_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
)

# Calm palette: blues for ordinary steps, a soft green for the last one.
INK = "#1F2D3D"
MUTED = "#4A5A6A"
BOX_FACE = "#EAF2FB"
BOX_EDGE = "#6D97BF"
LAST_FACE = "#E7F4EA"
LAST_EDGE = "#6FA77F"
BADGE = "#2F6B9A"
LAST_BADGE = "#3F8A57"
HEADER_FACE = "#2F6B9A"
ARROW = "#8A9BAD"
BUDGET_COLOR = "#B7CCE4"
SPENT_COLOR = "#2F6B9A"
WARN_COLOR = "#B45309"

# Characters that should not start a line (closing punctuation).
_NO_LINE_START = set("，。、；：！？）》」』】”’%％·…—")

# Matplotlib's font cache and text layout are not documented as thread-safe;
# charts are rendered one at a time.
RENDER_LOCK = threading.Lock()


class ChartError(Exception):
    """A chart cannot be drawn: no CJK font, or the entry has nothing to draw."""


@functools.cache
def cjk_font() -> Path:
    """The file of an installed font that covers Chinese; raises ChartError when none."""
    by_name: dict[str, str] = {}
    for known in font_manager.fontManager.ttflist:
        by_name.setdefault(known.name, known.fname)
    for family in PREFERRED_FAMILIES:
        fname = by_name.get(family)
        if fname and Path(fname).is_file():
            return Path(fname)
    found = _fc_list_chinese()
    if found is not None:
        return found
    raise ChartError(
        "没有找到中文字体，无法画图。请运行 `bash scripts/system-deps.sh`，"
        "或安装 Debian 软件包 fonts-wqy-microhei（apt-get install fonts-wqy-microhei）。"
    )


def _fc_list_chinese() -> Path | None:
    """The first font fontconfig says covers Chinese, if fontconfig is there."""
    try:
        result = subprocess.run(
            ["fc-list", ":lang=zh", "file"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    for line in sorted(result.stdout.splitlines()):
        candidate = Path(line.strip().rstrip(":").strip())
        if candidate.suffix.lower() in {".ttf", ".ttc", ".otf", ".otc"} and candidate.is_file():
            return candidate
    return None


def font(size: float) -> FontProperties:
    """The CJK font at `size` points, for every text of every chart."""
    return FontProperties(fname=cjk_font(), size=size)


def style_bar_axes(ax: Axes, heading: str, *, tick_size: float, title_size: float) -> None:
    """The look all horizontal bar panels share: a light grid, two spines, the title at left."""
    ax.tick_params(axis="y", length=0, pad=6)
    ax.tick_params(axis="x", colors=MUTED)
    for label in ax.get_xticklabels():
        label.set_fontproperties(font(tick_size))
    ax.grid(axis="x", color="#E3E8EE", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#B8C2CC")
    ax.set_title(heading, loc="left", color=INK, fontproperties=font(title_size), pad=8)


# --- text wrapping -----------------------------------------------------------------


def char_width(char: str) -> float:
    """Width in full-width character units: CJK counts 1, Latin letters and digits 1/2."""
    return 1.0 if unicodedata.east_asian_width(char) in {"W", "F"} else 0.55


def wrap_cjk(text: str, width: float) -> list[str]:
    """Wrap text that has no spaces by character width (`width` full-width characters).

    Runs of Latin letters and digits (``30``, ``ABC``) are not split unless they
    are longer than a line; closing punctuation never starts a line.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current, used = "", 0.0
        for token in _TOKEN.findall(paragraph):
            w = sum(char_width(c) for c in token)
            if w > width:  # an overlong Latin run is broken character by character
                for char in token:
                    current, used = _add(lines, current, used, char, char_width(char), width)
                continue
            current, used = _add(lines, current, used, token, w, width)
        lines.append(current)
    return lines


_TOKEN = re.compile(r"[A-Za-z0-9.%]+|.", re.S)


def _add(
    lines: list[str], current: str, used: float, token: str, w: float, width: float
) -> tuple[str, float]:
    if current and used + w > width and token[0] not in _NO_LINE_START:
        lines.append(current)
        return token, w
    return current + token, used + w


# --- rendering helpers -------------------------------------------------------------


def _new_figure(width_in: float, height_in: float) -> Figure:
    fig = Figure(figsize=(width_in, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _inch_axes(fig: Figure, width_in: float, height_in: float) -> Axes:
    """An invisible axes over the whole figure whose data units are inches, y downwards."""
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width_in)
    ax.set_ylim(height_in, 0)
    ax.set_axis_off()
    return ax


def _render_text_probe(text: str) -> bytes:
    """Render one line of text with the chart font (tests use it to prove glyph checks work)."""
    with RENDER_LOCK:
        fig = _new_figure(3, 0.6)
        fig.text(0.05, 0.4, text, fontproperties=font(12), parse_math=False)
        return _png(fig)


# --- procedure flow chart ----------------------------------------------------------

_PT = 1 / 72  # one point in inches

TITLE_SIZE = 19.0
HEADER_SIZE = 14.0
STEP_SIZE = 14.0
META_SIZE = 11.0
LINE_SPACING = 1.35

MARGIN_X = 0.35
TOP_TITLE = 0.95
COLUMN_GAP = 0.45
ROW_GAP = 0.5
BOTTOM = 0.3
HEADER_GAP = 0.22
ARROW_GAP = 0.34
BOX_PAD_Y = 0.13
BADGE_AREA = 0.56
BOX_PAD_RIGHT = 0.14
MAX_BOX_WIDTH = 3.9
MIN_BOX_HEIGHT = 0.62


@dataclass(frozen=True)
class _StepLayout:
    title_lines: list[str]
    meta_lines: list[str]
    height: float


@dataclass(frozen=True)
class _ColumnLayout:
    procedure: Procedure
    header_lines: list[str]
    header_height: float
    steps: list[_StepLayout]

    @property
    def height(self) -> float:
        boxes = sum(step.height for step in self.steps)
        return self.header_height + HEADER_GAP + boxes + ARROW_GAP * (len(self.steps) - 1)


def _chars_per_line(text_width_in: float, size_pt: float, cap: float) -> float:
    return max(5.0, min(cap, text_width_in / (size_pt * _PT)))


def _layout_step(step: Step, box_width: float) -> _StepLayout:
    text_width = box_width - BADGE_AREA - BOX_PAD_RIGHT
    title_lines = wrap_cjk(step.title, _chars_per_line(text_width, STEP_SIZE, 14))
    meta_width = _chars_per_line(text_width, META_SIZE, 20)
    meta_lines: list[str] = []
    if step.actor:
        meta_lines += wrap_cjk(f"办理：{step.actor}", meta_width)
    if step.time_limit:
        meta_lines += wrap_cjk(f"时限：{step.time_limit}", meta_width)
    height = 2 * BOX_PAD_Y + len(title_lines) * STEP_SIZE * LINE_SPACING * _PT
    if meta_lines:
        height += 0.05 + len(meta_lines) * META_SIZE * LINE_SPACING * _PT
    return _StepLayout(title_lines, meta_lines, max(MIN_BOX_HEIGHT, height))


def _layout_column(procedure: Procedure, box_width: float) -> _ColumnLayout:
    header_lines = wrap_cjk(procedure.name, _chars_per_line(box_width - 0.3, HEADER_SIZE, 16))
    header_height = 0.2 + len(header_lines) * HEADER_SIZE * LINE_SPACING * _PT
    steps = [_layout_step(step, box_width) for step in procedure.steps]
    return _ColumnLayout(procedure, header_lines, header_height, steps)


def _draw_column(ax: Axes, column: _ColumnLayout, x: float, top: float, width: float) -> None:
    header = FancyBboxPatch(
        (x, top),
        width,
        column.header_height,
        boxstyle="round,pad=0,rounding_size=0.1",
        facecolor=HEADER_FACE,
        edgecolor="none",
    )
    ax.add_patch(header)
    ax.text(
        x + width / 2,
        top + column.header_height / 2,
        "\n".join(column.header_lines),
        ha="center",
        va="center",
        color="white",
        fontproperties=font(HEADER_SIZE),
        linespacing=LINE_SPACING,
        parse_math=False,
    )
    y = top + column.header_height + HEADER_GAP
    last = len(column.steps) - 1
    for number, step in enumerate(column.steps):
        if number:
            arrow = FancyArrowPatch(
                (x + width / 2, y - ARROW_GAP + 0.03),
                (x + width / 2, y - 0.02),
                arrowstyle="-|>",
                mutation_scale=16,
                color=ARROW,
                linewidth=1.6,
                shrinkA=0,
                shrinkB=0,
            )
            ax.add_patch(arrow)
        _draw_step(ax, step, number + 1, x, y, width, final=number == last and last > 0)
        y += step.height + ARROW_GAP


def _draw_step(
    ax: Axes, step: _StepLayout, number: int, x: float, y: float, width: float, *, final: bool
) -> None:
    box = FancyBboxPatch(
        (x, y),
        width,
        step.height,
        boxstyle="round,pad=0,rounding_size=0.12",
        facecolor=LAST_FACE if final else BOX_FACE,
        edgecolor=LAST_EDGE if final else BOX_EDGE,
        linewidth=1.3,
    )
    ax.add_patch(box)
    centre_y = y + step.height / 2
    ax.add_patch(Circle((x + 0.3, centre_y), 0.17, facecolor=LAST_BADGE if final else BADGE))
    ax.text(
        x + 0.3,
        centre_y,
        str(number),
        ha="center",
        va="center",
        color="white",
        fontproperties=font(12),
        parse_math=False,
    )
    title_h = len(step.title_lines) * STEP_SIZE * LINE_SPACING * _PT
    meta_h = len(step.meta_lines) * META_SIZE * LINE_SPACING * _PT
    block = title_h + (0.05 + meta_h if step.meta_lines else 0.0)
    text_x = x + BADGE_AREA
    text_top = centre_y - block / 2
    ax.text(
        text_x,
        text_top + title_h / 2,
        "\n".join(step.title_lines),
        ha="left",
        va="center",
        color=INK,
        fontproperties=font(STEP_SIZE),
        linespacing=LINE_SPACING,
        parse_math=False,
    )
    if step.meta_lines:
        ax.text(
            text_x,
            text_top + title_h + 0.05 + meta_h / 2,
            "\n".join(step.meta_lines),
            ha="left",
            va="center",
            color=MUTED,
            fontproperties=font(META_SIZE),
            linespacing=LINE_SPACING,
            parse_math=False,
        )


def _rows(columns: Sequence[_ColumnLayout], per_row: int) -> list[list[_ColumnLayout]]:
    return [list(columns[i : i + per_row]) for i in range(0, len(columns), per_row)]


def procedure_chart(entry: Entry) -> bytes:
    """A PNG flow chart of the entry's procedures (one column per procedure, two a row)."""
    if not entry.procedures:
        raise ChartError(f"条目 {entry.id} 没有办理流程，无法画流程图")
    per_row = 1 if len(entry.procedures) == 1 else 2
    fig_width = 5.6 if per_row == 1 else 8.0
    column_width = (fig_width - 2 * MARGIN_X - (per_row - 1) * COLUMN_GAP) / per_row
    box_width = min(column_width, MAX_BOX_WIDTH)
    columns = [_layout_column(p, box_width) for p in entry.procedures]
    rows = _rows(columns, per_row)
    title_width = _chars_per_line(fig_width - 0.6, TITLE_SIZE, 30)
    title_lines = wrap_cjk(f"{entry.title}办理流程", title_width)
    title_height = TOP_TITLE + (len(title_lines) - 1) * TITLE_SIZE * LINE_SPACING * _PT
    row_heights = [max(c.height for c in row) for row in rows]
    fig_height = title_height + sum(row_heights) + ROW_GAP * (len(rows) - 1) + BOTTOM

    with RENDER_LOCK:
        fig = _new_figure(fig_width, fig_height)
        ax = _inch_axes(fig, fig_width, fig_height)
        ax.text(
            fig_width / 2,
            title_height / 2,
            "\n".join(title_lines),
            ha="center",
            va="center",
            color=INK,
            fontproperties=font(TITLE_SIZE),
            linespacing=LINE_SPACING,
            parse_math=False,
        )
        top = title_height
        for row, row_height in zip(rows, row_heights, strict=True):
            # A short last row is centred rather than left-aligned.
            used = len(row) * column_width + (len(row) - 1) * COLUMN_GAP
            left = (fig_width - used) / 2
            for index, column in enumerate(row):
                column_left = left + index * (column_width + COLUMN_GAP)
                x = column_left + (column_width - box_width) / 2
                _draw_column(ax, column, x, top, box_width)
            top += row_height + ROW_GAP
        return _png(fig)


# --- finance chart -----------------------------------------------------------------

FIN_TITLE_SIZE = 18.0
PERIOD_SIZE = 14.0
ITEM_SIZE = 11.5
VALUE_SIZE = 10.0
TICK_SIZE = 9.5
FOOTER_SIZE = 11.0

FIN_WIDTH = 8.0
ITEM_HEIGHT = 0.5  # inches per item (two bars and a gap)
PERIOD_HEAD = 0.45
PERIOD_GAP = 0.35
ITEM_CHARS = 8  # item labels wrap at this many full-width characters
LABEL_ROOM = 1.3  # inches right of the longest bar for its value label


def _ordered(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _amount(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _spent_label(row: FinanceRow) -> str:
    if row.budget > 0:
        return f"{_amount(row.spent)}（{row.spent / row.budget:.0%}）"
    return _amount(row.spent)


def _common_note(rows: Sequence[FinanceRow]) -> str:
    """The note parts every row of a period shares (e.g. 预算为全年数), joined."""
    parts = [[p.strip() for p in row.note.split("；") if p.strip()] for row in rows]
    if not parts:
        return ""
    shared = [p for p in parts[0] if all(p in other for other in parts[1:])]
    return "；".join(shared)


def _finance_title(title: str) -> str:
    """The entry title plus 收支, without doubling it (民政专项经费收支 stays as it is)."""
    return title if title.endswith("收支") else f"{title}收支"


def _period_rows(finance: Finance) -> list[tuple[str, list[FinanceRow]]]:
    periods = _ordered(row.period for row in finance.rows)
    return [(p, [row for row in finance.rows if row.period == p]) for p in periods]


def finance_chart(entry: Entry) -> bytes:
    """A PNG of budget against spending per item, one horizontal bar panel per period."""
    finance = entry.finance
    if finance is None:
        raise ChartError(f"条目 {entry.id} 没有收支数据，无法画收支图")
    groups = _period_rows(finance)
    wrapped = {row.item: wrap_cjk(row.item, ITEM_CHARS) for _, rows in groups for row in rows}
    widest = max(sum(char_width(c) for c in line) for lines in wrapped.values() for line in lines)
    left = 0.35 + widest * ITEM_SIZE * _PT
    right = 0.3
    head = 1.25  # title and legend
    footer = 0.6 if finance.sample_data else 0.25
    axis_label = 0.55
    panels = [len(_ordered(r.item for r in rows)) * ITEM_HEIGHT + 0.2 for _, rows in groups]
    fig_height = (
        head
        + sum(panels)
        + len(groups) * PERIOD_HEAD
        + PERIOD_GAP * (len(groups) - 1)
        + axis_label
        + footer
    )
    axes_width = FIN_WIDTH - left - right
    biggest = max(max(r.budget, r.spent) for r in finance.rows) or 1.0
    x_max = biggest / (1 - LABEL_ROOM / axes_width)
    unit_label = f"金额（{finance.unit}）"

    with RENDER_LOCK:
        fig = _new_figure(FIN_WIDTH, fig_height)
        fig.text(
            0.5,
            1 - 0.42 / fig_height,
            _finance_title(entry.title),
            ha="center",
            va="center",
            color=INK,
            fontproperties=font(FIN_TITLE_SIZE),
            parse_math=False,
        )
        fig.legend(
            handles=[
                Patch(facecolor=BUDGET_COLOR, label="预算"),
                Patch(facecolor=SPENT_COLOR, label="支出（执行率）"),
            ],
            loc="center",
            bbox_to_anchor=(0.5, 1 - 0.95 / fig_height),
            ncols=2,
            frameon=False,
            prop=font(ITEM_SIZE),
        )
        top = head
        last = len(groups) - 1
        for index, ((period, rows), panel) in enumerate(zip(groups, panels, strict=True)):
            top += PERIOD_HEAD
            ax = fig.add_axes(
                (
                    left / FIN_WIDTH,
                    1 - (top + panel) / fig_height,
                    axes_width / FIN_WIDTH,
                    panel / fig_height,
                )
            )
            heading = f"{period}（{note}）" if (note := _common_note(rows)) else period
            x_label = unit_label if index == last else ""
            _draw_period(ax, heading, rows, wrapped, x_max, x_label)
            top += panel + PERIOD_GAP
        if finance.sample_data:
            fig.text(
                0.5,
                0.3 / fig_height,
                SAMPLE_FOOTER,
                ha="center",
                va="center",
                color=WARN_COLOR,
                fontproperties=font(FOOTER_SIZE),
                parse_math=False,
            )
        return _png(fig)


def _draw_period(
    ax: Axes,
    heading: str,
    rows: Sequence[FinanceRow],
    wrapped: dict[str, list[str]],
    x_max: float,
    x_label: str,
) -> None:
    items = _ordered(row.item for row in rows)
    by_item = {row.item: row for row in rows}
    bar = 0.36
    for position, item in enumerate(items):
        row = by_item[item]
        budget_y, spent_y = position - bar / 2, position + bar / 2
        ax.barh(budget_y, row.budget, height=bar, color=BUDGET_COLOR)
        ax.barh(spent_y, row.spent, height=bar, color=SPENT_COLOR)
        offset = x_max * 0.01
        for y, value, text in (
            (budget_y, row.budget, _amount(row.budget)),
            (spent_y, row.spent, _spent_label(row)),
        ):
            ax.text(
                value + offset,
                y,
                text,
                ha="left",
                va="center",
                color=INK,
                fontproperties=font(VALUE_SIZE),
                parse_math=False,
            )
    ax.set_xlim(0, x_max)
    ax.set_ylim(len(items) - 0.45, -0.55)
    ax.set_yticks(range(len(items)))
    ax.set_yticklabels(
        ["\n".join(wrapped[item]) for item in items],
        fontproperties=font(ITEM_SIZE),
        color=INK,
    )
    style_bar_axes(ax, heading, tick_size=TICK_SIZE, title_size=PERIOD_SIZE)
    if x_label:
        ax.set_xlabel(x_label, color=MUTED, fontproperties=font(ITEM_SIZE))


# --- cache -------------------------------------------------------------------------


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
            raise ChartError(f"条目 {entry.id} 没有办理流程，无法画流程图")
        return self._get("procedure", procedure_key(entry), lambda: procedure_chart(entry))

    def finance(self, entry: Entry) -> bytes:
        """The finance chart of `entry` (ChartError when it has no finance table)."""
        if entry.finance is None:
            raise ChartError(f"条目 {entry.id} 没有收支数据，无法画收支图")
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
