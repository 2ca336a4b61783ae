"""`smartcity plan …`: install the programme's seed data and write its status report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from smartcity.core.errors import SmartCityError

plan_app = typer.Typer(
    help="The LIVED programme: seed data and status reports.", no_args_is_help=True
)

TenantOpt = Annotated[
    str | None, typer.Option("--tenant", help="Tenant slug (default: the default tenant).")
]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@plan_app.command("seed")
def seed(tenant: TenantOpt = None) -> None:
    """Install the programme (50 projects, indicators, safeguards); existing rows are kept."""
    from smartcity.cli import cli_principal, platform_session
    from smartcity.plan.loader import install_seed

    try:
        with platform_session() as (platform, session):
            principal = cli_principal(session, platform, tenant)
            found = install_seed(session, platform, principal)
    except SmartCityError as exc:
        _fail(exc.message)
    added = ", ".join(f"{n} {kind}" for kind, n in found.created.items()) or "nothing"
    typer.echo(f"programme installed: added {added}")


@plan_app.command("report")
def report(
    out: Annotated[
        Path, typer.Option("--out", help="Directory for plan-report.html and plan-report.pdf.")
    ] = Path("."),
    tenant: TenantOpt = None,
) -> None:
    """Write the programme status report as HTML (with SVG charts) and PDF."""
    from smartcity.cli import platform_session
    from smartcity.plan.report import build_pdf, build_report
    from smartcity.security import service as security

    try:
        out.mkdir(parents=True, exist_ok=True)
        with platform_session() as (platform, session):
            slug = tenant or platform.settings.default_tenant
            tenant_id = security.get_tenant(session, slug=slug).id
            html = build_report(session, platform, tenant_id)
            pdf = build_pdf(session, platform, tenant_id)
        (out / "plan-report.html").write_text(html, encoding="utf-8")
        (out / "plan-report.pdf").write_bytes(pdf)
    except SmartCityError as exc:
        _fail(exc.message)
    except OSError as exc:
        _fail(str(exc))
    typer.echo(f"wrote {out / 'plan-report.html'} and {out / 'plan-report.pdf'}")
