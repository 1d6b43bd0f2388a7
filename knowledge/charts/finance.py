"""The finance chart: budget against spending per item, one panel per period."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from matplotlib.axes import Axes
from matplotlib.patches import Patch

from knowledge.base.schema import Entry, Finance, FinanceRow
from knowledge.charts.style import (
    BUDGET_COLOR,
    INK,
    MUTED,
    PT,
    RENDER_LOCK,
    SAMPLE_FOOTER,
    SPENT_COLOR,
    WARN_COLOR,
    char_width,
    font,
    new_figure,
    png,
    style_bar_axes,
    wrap_cjk,
)
from knowledge.errors import ChartError
from knowledge.texts import residents as texts
from knowledge.texts import staff

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
        return texts.CHART_SPENT.format(amount=_amount(row.spent), rate=row.spent / row.budget)
    return _amount(row.spent)


def _common_note(rows: Sequence[FinanceRow]) -> str:
    """The note parts every row of a period shares (e.g. 预算为全年数), joined."""
    parts = [[p.strip() for p in row.note.split(texts.NOTE_SEPARATOR) if p.strip()] for row in rows]
    if not parts:
        return ""
    shared = [p for p in parts[0] if all(p in other for other in parts[1:])]
    return texts.NOTE_SEPARATOR.join(shared)


def _finance_title(title: str) -> str:
    """The entry title plus 收支, without doubling it (民政专项经费收支 stays as it is)."""
    suffix = texts.CHART_FINANCE_SUFFIX
    return title if title.endswith(suffix) else title + suffix


def _period_rows(finance: Finance) -> list[tuple[str, list[FinanceRow]]]:
    periods = _ordered(row.period for row in finance.rows)
    return [(p, [row for row in finance.rows if row.period == p]) for p in periods]


def finance_chart(entry: Entry) -> bytes:
    """A PNG of budget against spending per item, one horizontal bar panel per period."""
    finance = entry.finance
    if finance is None:
        raise ChartError(staff.CHART_NO_FINANCE.format(entry=entry.id))
    groups = _period_rows(finance)
    wrapped = {row.item: wrap_cjk(row.item, ITEM_CHARS) for _, rows in groups for row in rows}
    widest = max(sum(char_width(c) for c in line) for lines in wrapped.values() for line in lines)
    left = 0.35 + widest * ITEM_SIZE * PT
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
    unit_label = texts.CHART_AMOUNT.format(unit=finance.unit)

    with RENDER_LOCK:
        fig = new_figure(FIN_WIDTH, fig_height)
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
                Patch(facecolor=BUDGET_COLOR, label=texts.CHART_BUDGET),
                Patch(facecolor=SPENT_COLOR, label=texts.CHART_SPENT_LEGEND),
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
            note = _common_note(rows)
            heading = texts.CHART_PERIOD.format(period=period, note=note) if note else period
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
        return png(fig)


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
