"""What every chart shares: the CJK font, the palette, text wrapping and figure helpers.

Figures are built with `matplotlib.figure.Figure` and the Agg canvas directly (never
pyplot), and every text element gets an explicit CJK `FontProperties`, so nothing
here touches matplotlib's global state.
"""

from __future__ import annotations

import functools
import io
import re
import subprocess
import threading
import unicodedata
from pathlib import Path

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from knowledge.errors import ChartError
from knowledge.texts import residents as texts
from knowledge.texts import staff
from knowledge.vocabulary import SAMPLE_MARK

DPI = 150
PT = 1 / 72  # one point in inches
SAMPLE_FOOTER = texts.CHART_SAMPLE_FOOTER.format(mark=SAMPLE_MARK)

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
    raise ChartError(staff.CHART_NO_FONT)


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


def new_figure(width_in: float, height_in: float) -> Figure:
    fig = Figure(figsize=(width_in, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def inch_axes(fig: Figure, width_in: float, height_in: float) -> Axes:
    """An invisible axes over the whole figure whose data units are inches, y downwards."""
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, width_in)
    ax.set_ylim(height_in, 0)
    ax.set_axis_off()
    return ax


def render_text_probe(text: str) -> bytes:
    """Render one line of text with the chart font (tests use it to prove glyph checks work)."""
    with RENDER_LOCK:
        fig = new_figure(3, 0.6)
        fig.text(0.05, 0.4, text, fontproperties=font(12), parse_math=False)
        return png(fig)


# --- procedure flow chart ----------------------------------------------------------
