"""The status report: a chart per indicator, projects by status per action, what is late, the
closing note on live and hand-entered indicators; as HTML, PDF, through the API and the CLI."""

from __future__ import annotations

from datetime import date

import pytest
import typer
from typer.testing import CliRunner

from smartcity.plan import service
from smartcity.plan.cli import plan_app
from smartcity.plan.report import build_pdf, build_report
from smartcity.sensing.device_types import DeviceKind
from tests.sensing.ingest_fixtures import register

pytestmark = pytest.mark.usefixtures("programme")


@pytest.fixture
def progress(platform, admin):
    """Two projects moved on, one late, an observation entered, a Wi-Fi access point live."""
    with platform.db.session() as session:
        service.update_project(
            session, platform, admin, code="viable-1", changes={"status": "on_track"}
        )
        service.update_project(
            session, platform, admin, code="livable-3", changes={"status": "late"}
        )
        service.add_observation(
            session,
            platform,
            admin,
            code="household-fibre-take-up",
            value=51.0,
            unit="percent",
            observed_on=date(2014, 12, 31),
            source="test",
        )
    register(platform, admin, "AP-1", DeviceKind.WIFI_ACCESS_POINT)


def test_the_html_report_has_a_chart_per_indicator_and_the_status_table(
    platform, tenant_id, progress
):
    with platform.db.session() as session:
        page = build_report(session, platform, tenant_id)
    assert page.startswith("<!doctype html>")
    assert page.count("<svg") == 25
    assert "trajectory needed" in page and "target" in page
    assert "城市宜居 / Livable" in page
    late = page[page.index("What is late") : page.index("Indicators</h2>")]
    assert "livable-3" in late and "智慧教育" in late
    # the test clock is in 2026: every 2016 milestone still planned is overdue
    assert "next-generation-internet-deployed" in late
    note = page[page.index("Closing note") :]
    live = note[: note.index("Computed, not yet available")]
    assert "Public Wi-Fi (WLAN) access points" in live and "Household fibre" not in live
    hand = note[note.index("Entered by hand") :]
    assert "Household fibre broadband take-up" in hand


def test_the_pdf_has_a_summary_page_and_a_page_per_indicator(platform, tenant_id, progress):
    with platform.db.session() as session:
        document = build_pdf(session, platform, tenant_id)
    assert document.startswith(b"%PDF")
    assert document.count(b"/Type /Page") - document.count(b"/Type /Pages") == 26


def test_the_report_is_served_as_html_and_pdf(plan_as):
    api = plan_as("citizen")
    html = api.request("GET", "/report.html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert html.text.count("<svg") == 25
    pdf = api.request("GET", "/report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_cli_writes_both_files(platform, tmp_path, monkeypatch):
    monkeypatch.setenv("SMARTCITY_DATABASE_URL", platform.db.url)
    monkeypatch.setenv("SMARTCITY_DATA_DIR", str(platform.settings.data_dir))
    monkeypatch.setenv("SMARTCITY_SECRET_KEY", "cli-test-secret-0123456789")
    monkeypatch.setenv("SMARTCITY_DEFAULT_TENANT", "shanghai")
    app = typer.Typer()
    app.add_typer(plan_app, name="plan")
    result = CliRunner().invoke(app, ["plan", "report", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "plan-report.html").read_text().count("<svg") == 25
    assert (tmp_path / "out" / "plan-report.pdf").read_bytes().startswith(b"%PDF")
    unknown = CliRunner().invoke(app, ["plan", "report", "--tenant", "atlantis"])
    assert unknown.exit_code == 1 and "atlantis" in unknown.output
