"""The programme's open-data measure counts what the catalogue publishes, live."""

from __future__ import annotations

from sqlalchemy import text

from smartcity.plan.measures import MEASURES
from tests.opendata.conftest import package


def _published(platform):
    with platform.db.session() as session:
        tenant_id = session.execute(
            text("SELECT id FROM tenants WHERE slug = 'shanghai'")
        ).scalar_one()
        return MEASURES["open_datasets_published"].measure(session, platform, tenant_id)


def test_open_datasets_published_counts_public_datasets_only_and_follows_the_catalogue(
    platform, catalogue
):
    first = _published(platform)
    assert first.available and first.value == 3  # three public, two private drafts
    assert "public" in first.method
    catalogue.create(package("parking-spots", "transport"))
    catalogue.create(package("draft-parking", "transport", private=True))
    assert _published(platform).value == 4
