"""The programme status report: projects by status per action, what is late, a chart per
indicator, and a closing note on which indicators are live and which are entered by hand.
HTML (inline SVG charts) and PDF (matplotlib's PdfPages) are built from the same facts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from html import escape

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from sqlalchemy.orm import Session

from smartcity.plan import charts, service, views
from smartcity.plan.schemas import IndicatorOut, ProgrammeOut
from smartcity.plan.seed import PROJECT_STATUSES, seed_data
from smartcity.plan.units import UNITS
from smartcity.platform import Platform

STATUS_NAMES = {
    "planned": ("计划中", "planned"),
    "on_track": ("按计划推进", "on track"),
    "at_risk": ("有风险", "at risk"),
    "late": ("滞后", "late"),
    "done": ("已完成", "done"),
}


@dataclass
class ReportFacts:
    programme: ProgrammeOut
    indicators: list[IndicatorOut]
    today: date
    generated_at: str

    def late_projects(self) -> list[tuple[str, str, str]]:
        """(code, name_zh, name_en) of projects whose status is late."""
        return [
            (p.code, p.name_zh, p.name_en)
            for pillar in self.programme.pillars
            for p in pillar.projects
            if p.status == "late"
        ]

    def overdue_milestones(self) -> list[tuple[str, str, str, date]]:
        """Milestones past their due date and not done (or marked late)."""
        return [
            (m.code, m.title_zh, m.title_en, m.due_on)
            for pillar in self.programme.pillars
            for p in pillar.projects
            for m in p.milestones
            if m.status != "done" and (m.due_on < self.today or m.status == "late")
        ]


def gather(session: Session, platform: Platform, tenant_id: int) -> ReportFacts:
    pillars = service.pillar_codes(session, tenant_id)
    projects = service.project_codes(session, tenant_id)
    indicators = [
        views.indicator_out(
            session, platform, i, pillars=pillars, projects=projects, with_observations=True
        )
        for i in service.list_indicators(session, tenant_id)
    ]
    return ReportFacts(
        programme=views.programme_out(session, tenant_id),
        indicators=indicators,
        today=service.today(platform),
        generated_at=platform.clock.now().isoformat(timespec="seconds"),
    )


def series(indicator: IndicatorOut) -> charts.Series:
    def at(year: int | None) -> date | None:
        return date(year, 12, 31) if year else None

    baseline = indicator.baseline
    target = indicator.target
    live = indicator.measured
    return charts.Series(
        title=charts.safe_title(indicator.name_en),
        unit=charts.safe_title(UNITS[indicator.unit].symbol_en),
        baseline=(at(baseline.year), baseline.value) if baseline and baseline.year else None,
        target=(at(target.year), target.value) if target and target.year else None,
        observations=[(o.observed_on, o.value) for o in indicator.observations or []],
        live=(
            (live.period_end.date(), live.value)
            if live and live.value is not None and live.period_end
            else None
        ),
    )


# -- HTML ------------------------------------------------------------------------------------


def build_report(session: Session, platform: Platform, tenant_id: int) -> str:
    """The report as one self-contained HTML page."""
    facts = gather(session, platform, tenant_id)
    spec = seed_data()["programme"]
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{escape(spec['name_zh'])} — status report</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:auto;padding:1rem}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem}"
        ".indicator{page-break-inside:avoid;margin:1.5rem 0}</style></head><body>",
        f"<h1>{escape(spec['name_zh'])}<br><small>{escape(spec['name_en'])}</small></h1>",
        f"<p>进展报告 / Status report — {escape(facts.generated_at)}. "
        f"来源 / Source: {escape(spec['source'])}</p>",
        _status_table(facts),
        _late_section(facts),
        "<h2>指标 / Indicators</h2>",
        *(_indicator_section(i) for i in facts.indicators),
        _closing_note(facts),
        "<h2>保障措施 / Safeguard measures</h2><ol>",
        *(
            f"<li>{escape(s.name_zh)} — {escape(s.name_en)}</li>"
            for s in facts.programme.safeguards
        ),
        "</ol></body></html>",
    ]
    return "\n".join(parts)


def _status_table(facts: ReportFacts) -> str:
    head = "".join(f"<th>{escape(zh)}<br>{escape(en)}</th>" for zh, en in STATUS_NAMES.values())
    rows = []
    for pillar in facts.programme.pillars:
        counts = [sum(1 for p in pillar.projects if p.status == s) for s in PROJECT_STATUSES]
        cells = "".join(f"<td>{n}</td>" for n in counts)
        rows.append(
            f"<tr><th>{escape(pillar.name_zh)} / {escape(pillar.name_en)}</th>{cells}"
            f"<td>{len(pillar.projects)}</td></tr>"
        )
    return (
        "<h2>各行动重点专项进展 / Projects by status per action</h2>"
        f"<table><tr><th></th>{head}<th>合计 / total</th></tr>{''.join(rows)}</table>"
    )


def _late_section(facts: ReportFacts) -> str:
    late = facts.late_projects()
    overdue = facts.overdue_milestones()
    items = [f"<li>{escape(code)}: {escape(zh)} — {escape(en)}</li>" for code, zh, en in late]
    items += [
        f"<li>{escape(code)}: {escape(zh)} — {escape(en)} (due {due.isoformat()})</li>"
        for code, zh, en, due in overdue
    ]
    body = "".join(items) or "<li>无 / nothing is late</li>"
    return f"<h2>滞后事项 / What is late</h2><ul class='late'>{body}</ul>"


def _figure_text(figure: object | None) -> str:
    if figure is None:
        return "—"
    return f"{figure.as_written} ({figure.year or 'year not stated'})"  # type: ignore[attr-defined]


def _indicator_section(indicator: IndicatorOut) -> str:
    live = indicator.measured
    if live is None:
        how = "人工填报 / entered by hand"
    elif live.available:
        value = "无数据 / no data in the period" if live.value is None else f"{live.value:g}"
        period = (
            f" Period: {live.period_start:%Y-%m-%d %H:%M} – {live.period_end:%Y-%m-%d %H:%M} UTC"
            if live.period_start is not None and live.period_end is not None
            else ""
        )
        how = f"平台实时计算 / live: {value} ({escape(live.method)}{period})"
    else:
        how = f"平台计算，暂不可用 / computed, unavailable: {escape(live.reason or '')}"
    mapping = "; ".join(
        f"{name}: {escape(value)}"
        for name, value in (("ISO 37120", indicator.iso37120), ("U4SSC", indicator.u4ssc))
        if value
    )
    latest = (indicator.observations or [])[-1:] or []
    last = f"{latest[0].value:g} ({latest[0].observed_on.isoformat()})" if latest else "—"
    return (
        f"<section class='indicator' id='{escape(indicator.code)}'>"
        f"<h3>{escape(indicator.name_zh)}<br><small>{escape(indicator.name_en)}</small></h3>"
        f"<p>单位 / unit: {escape(indicator.unit_label)} · 基线 / baseline: "
        f"{escape(_figure_text(indicator.baseline))} · 目标 / target: "
        f"{escape(_figure_text(indicator.target))} · 最新观测 / latest observation: "
        f"{escape(last)}</p><p>{how}</p>"
        + (f"<p>{mapping}</p>" if mapping else "")
        + charts.svg(series(indicator))
        + "</section>"
    )


def _closing_note(facts: ReportFacts) -> str:
    def names(items: list[IndicatorOut]) -> str:
        return "".join(f"<li>{escape(i.name_zh)} — {escape(i.name_en)}</li>" for i in items)

    live = [i for i in facts.indicators if i.measured and i.measured.available]
    waiting = [i for i in facts.indicators if i.measured and not i.measured.available]
    hand = [i for i in facts.indicators if i.measured is None]
    return (
        "<h2>说明 / Closing note</h2>"
        f"<h3>平台实时计算的指标 / Live indicators ({len(live)})</h3><ul>{names(live)}</ul>"
        f"<h3>将由平台计算、暂不可用 / Computed, not yet available ({len(waiting)})</h3>"
        f"<ul>{names(waiting)}</ul>"
        f"<h3>人工填报的指标 / Entered by hand ({len(hand)})</h3><ul>{names(hand)}</ul>"
    )


# -- PDF -------------------------------------------------------------------------------------


def build_pdf(session: Session, platform: Platform, tenant_id: int) -> bytes:
    """The report as PDF: a summary page, then one chart page per indicator (English labels)."""
    facts = gather(session, platform, tenant_id)
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"CreationDate": None, "ModDate": None}) as pdf:
        pdf.savefig(_summary_page(facts))
        for indicator in facts.indicators:
            pdf.savefig(charts.figure(series(indicator)))
    return buffer.getvalue()


def _summary_page(facts: ReportFacts) -> Figure:
    spec = seed_data()["programme"]
    lines = [spec["name_en"], f"Status report, {facts.generated_at}", "", "Projects by status:"]
    for pillar in facts.programme.pillars:
        counts = ", ".join(
            f"{STATUS_NAMES[s][1]} {sum(1 for p in pillar.projects if p.status == s)}"
            for s in PROJECT_STATUSES
        )
        lines.append(f"  {pillar.name_en}: {counts}")
    lines += ["", "What is late:"]
    late = [f"  {code}: {charts.safe_title(en)}" for code, _, en in facts.late_projects()]
    late += [
        f"  {code}: {charts.safe_title(en)} (due {due.isoformat()})"
        for code, _, en, due in facts.overdue_milestones()
    ]
    lines += late or ["  nothing is late"]
    live = [i.code for i in facts.indicators if i.measured and i.measured.available]
    hand = [i.code for i in facts.indicators if i.measured is None]
    lines += ["", f"Live indicators: {', '.join(live) or 'none'}"]
    lines += [f"Entered by hand: {len(hand)} indicators (see the charts that follow)"]
    fig = Figure(figsize=(8.27, 11.69))
    FigureCanvasAgg(fig)
    fig.text(0.06, 0.96, "\n".join(lines), va="top", family="monospace", fontsize=7, wrap=True)
    return fig
