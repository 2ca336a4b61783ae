"""One chart per indicator (matplotlib, Agg): baseline, observations, live value, target and the
straight trajectory from baseline to target that the plan needs.

Labels are in English: the machine may have no CJK font, and the report prints the Chinese
names beside each chart.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

# Figures are made without pyplot (no global figure registry, safe in worker threads).
SVG_STYLE = {
    "svg.hashsalt": "smartcity-plan",  # stable element ids: same data, same SVG
    "svg.fonttype": "none",  # text stays text, small and searchable
}


@dataclass
class Series:
    """What one chart shows, in the indicator's unit."""

    title: str
    unit: str
    baseline: tuple[date, float] | None = None
    target: tuple[date, float] | None = None
    observations: list[tuple[date, float]] = field(default_factory=list)
    live: tuple[date, float] | None = None

    @property
    def empty(self) -> bool:
        return not (self.baseline or self.target or self.observations or self.live)


def figure(series: Series) -> Figure:
    fig = Figure(figsize=(6.4, 3.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if series.baseline and series.target:
        ax.plot(
            *_xy([series.baseline, series.target]),
            linestyle="--",
            color="#888888",
            label="trajectory needed",
        )
    if series.baseline:
        ax.plot(*_xy([series.baseline]), "o", color="#1f4e79", label="baseline")
    if series.observations:
        ax.plot(*_xy(series.observations), "-o", color="#2e7d32", label="observed", markersize=4)
    if series.live:
        ax.plot(*_xy([series.live]), "D", color="#c62828", label="live measure")
    if series.target:
        ax.plot(*_xy([series.target]), "*", color="#ef6c00", markersize=12, label="target")
    if series.empty:
        ax.text(0.5, 0.5, "no figures yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
    else:
        ax.legend(loc="upper left", fontsize=7, frameon=False)
        ax.grid(True, alpha=0.3)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    # Tick N is 1 January of N: the end of year N-1, where the plan's yearly figures stand.
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"end {round(x) - 1}"))
    ax.set_title(series.title, fontsize=9)
    ax.set_ylabel(series.unit, fontsize=8)
    ax.tick_params(labelsize=7)
    fig.subplots_adjust(left=0.12, right=0.97, top=0.9, bottom=0.12)
    return fig


def _year(day: date) -> float:
    """A date as a decimal year: numeric axes draw far faster than date axes."""
    return day.year + (day.timetuple().tm_yday - 1) / 365.25


def _xy(points: list[tuple[date, float]]) -> tuple[list[float], list[float]]:
    return [_year(p[0]) for p in points], [p[1] for p in points]


def svg(series: Series) -> str:
    """The chart as an inline <svg> element."""
    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_STYLE):
        figure(series).savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :] if "<svg" in text else text


def safe_title(text: str) -> str:
    """Latin text only: what the charts' font can draw."""
    return re.sub(r"[^\x20-\x7e\u2013\u2014\u00b5\u00b3\u2264\u00d7]", "", text).strip()
