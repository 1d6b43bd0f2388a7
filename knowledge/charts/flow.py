"""The flow chart of an entry's procedures, drawn from its stored steps.

Layout is computed in inches: the chart draws on one axes that spans the whole
figure with data units equal to inches, which keeps circles round and spacing
predictable without a layout engine (and keeps rendering fast).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from knowledge.base.schema import Entry, Procedure, Step
from knowledge.charts.style import (
    ARROW,
    BADGE,
    BOX_EDGE,
    BOX_FACE,
    HEADER_FACE,
    INK,
    LAST_BADGE,
    LAST_EDGE,
    LAST_FACE,
    MUTED,
    PT,
    RENDER_LOCK,
    font,
    inch_axes,
    new_figure,
    png,
    wrap_cjk,
)
from knowledge.errors import ChartError
from knowledge.texts import residents as texts
from knowledge.texts import staff

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
    return max(5.0, min(cap, text_width_in / (size_pt * PT)))


def _layout_step(step: Step, box_width: float) -> _StepLayout:
    text_width = box_width - BADGE_AREA - BOX_PAD_RIGHT
    title_lines = wrap_cjk(step.title, _chars_per_line(text_width, STEP_SIZE, 14))
    meta_width = _chars_per_line(text_width, META_SIZE, 20)
    meta_lines: list[str] = []
    if step.actor:
        meta_lines += wrap_cjk(texts.CHART_ACTOR.format(actor=step.actor), meta_width)
    if step.time_limit:
        meta_lines += wrap_cjk(texts.CHART_TIME_LIMIT.format(limit=step.time_limit), meta_width)
    height = 2 * BOX_PAD_Y + len(title_lines) * STEP_SIZE * LINE_SPACING * PT
    if meta_lines:
        height += 0.05 + len(meta_lines) * META_SIZE * LINE_SPACING * PT
    return _StepLayout(title_lines, meta_lines, max(MIN_BOX_HEIGHT, height))


def _layout_column(procedure: Procedure, box_width: float) -> _ColumnLayout:
    header_lines = wrap_cjk(procedure.name, _chars_per_line(box_width - 0.3, HEADER_SIZE, 16))
    header_height = 0.2 + len(header_lines) * HEADER_SIZE * LINE_SPACING * PT
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
    title_h = len(step.title_lines) * STEP_SIZE * LINE_SPACING * PT
    meta_h = len(step.meta_lines) * META_SIZE * LINE_SPACING * PT
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
        raise ChartError(staff.CHART_NO_PROCEDURE.format(entry=entry.id))
    per_row = 1 if len(entry.procedures) == 1 else 2
    fig_width = 5.6 if per_row == 1 else 8.0
    column_width = (fig_width - 2 * MARGIN_X - (per_row - 1) * COLUMN_GAP) / per_row
    box_width = min(column_width, MAX_BOX_WIDTH)
    columns = [_layout_column(p, box_width) for p in entry.procedures]
    rows = _rows(columns, per_row)
    title_width = _chars_per_line(fig_width - 0.6, TITLE_SIZE, 30)
    title_lines = wrap_cjk(texts.CHART_FLOW_TITLE.format(title=entry.title), title_width)
    title_height = TOP_TITLE + (len(title_lines) - 1) * TITLE_SIZE * LINE_SPACING * PT
    row_heights = [max(c.height for c in row) for row in rows]
    fig_height = title_height + sum(row_heights) + ROW_GAP * (len(rows) - 1) + BOTTOM

    with RENDER_LOCK:
        fig = new_figure(fig_width, fig_height)
        ax = inch_axes(fig, fig_width, fig_height)
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
        return png(fig)
