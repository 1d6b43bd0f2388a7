"""The chart of the monthly complaint report: complaints by state and by category."""

from __future__ import annotations

from io import BytesIO

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from knowledge.charts import style as charts
from knowledge.complaints.report.figures import MonthlyReport
from knowledge.complaints.report.message import state_name
from knowledge.texts import staff

# --- chart -------------------------------------------------------------------------

CHART_WIDTH = 8.0  # inches
BAR_HEIGHT = 0.42  # inches per bar
BAR_COLOR = charts.SPENT_COLOR
TITLE_SIZE = 16.0
LABEL_SIZE = 11.0


def _bar_panel(ax: Axes, heading: str, labels: list[str], counts: list[int]) -> None:
    if not labels:
        ax.set_axis_off()
        ax.set_title(heading, loc="left", color=charts.INK, fontproperties=charts.font(13))
        ax.text(
            0.5,
            0.5,
            staff.REPORT_CHART_EMPTY,
            ha="center",
            va="center",
            color=charts.MUTED,
            fontproperties=charts.font(LABEL_SIZE),
            parse_math=False,
            transform=ax.transAxes,
        )
        return
    x_max = max(max(counts), 1) * 1.15
    positions = list(range(len(labels)))
    ax.barh(positions, counts, height=0.6, color=BAR_COLOR)
    for y, n in zip(positions, counts, strict=True):
        ax.text(
            n + x_max * 0.01,
            y,
            str(n),
            ha="left",
            va="center",
            color=charts.INK,
            fontproperties=charts.font(LABEL_SIZE),
            parse_math=False,
        )
    ax.set_xlim(0, x_max)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_yticks(positions)
    ax.set_yticklabels(labels, fontproperties=charts.font(LABEL_SIZE), color=charts.INK)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    charts.style_bar_axes(ax, heading, tick_size=9, title_size=13)


def report_chart(report: MonthlyReport) -> bytes:
    """A PNG of the month's complaints by state and by category, two bar panels."""
    states = [(state_name(s), n) for s, n in report.by_state.items()]
    categories = list(report.by_category.items())
    labels = [label for label, _ in [*states, *categories]]
    widest = max((sum(charts.char_width(ch) for ch in label) for label in labels), default=4.0)
    left = 0.4 + widest * LABEL_SIZE / 72
    head, gap, panel_head, foot = 0.8, 0.5, 0.45, 0.45
    panels = [max(len(states), 1) * BAR_HEIGHT + 0.2, max(len(categories), 1) * BAR_HEIGHT + 0.2]
    height = head + sum(panels) + 2 * panel_head + gap + foot
    width = max(CHART_WIDTH, left + 4.0)
    with charts.RENDER_LOCK:  # matplotlib's font cache is shared with the other charts
        fig = Figure(figsize=(width, height), dpi=charts.DPI, facecolor="white")
        FigureCanvasAgg(fig)
        fig.text(
            0.5,
            1 - 0.4 / height,
            staff.REPORT_CHART_TITLE.format(month=report.month),
            ha="center",
            va="center",
            color=charts.INK,
            fontproperties=charts.font(TITLE_SIZE),
            parse_math=False,
        )
        top = head
        for (heading, rows), panel in zip(
            ((staff.REPORT_CHART_BY_STATE, states), (staff.REPORT_CHART_BY_CATEGORY, categories)),
            panels,
            strict=True,
        ):
            top += panel_head
            ax = fig.add_axes(
                (
                    left / width,
                    1 - (top + panel) / height,
                    (width - left - 0.5) / width,
                    panel / height,
                )
            )
            _bar_panel(
                ax,
                heading.format(count=report.total),
                [r[0] for r in rows],
                [r[1] for r in rows],
            )
            top += panel + gap
        buffer = BytesIO()
        fig.savefig(buffer, format="png", dpi=charts.DPI, facecolor="white")
        return buffer.getvalue()
