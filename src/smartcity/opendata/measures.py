"""The open-data catalogue's live measure for the LIVED programme and U4SSC (EC: ICT: PS: 1A,
Open Data): the datasets published, registered in the plan's registry in place of the declared
one by `register_opendata_measures`."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartcity.opendata.models import Dataset
from smartcity.plan.measures import Measure, Measurement, Period, register_measure
from smartcity.platform import Platform

METHOD = (
    "Count of public (not private) datasets in the open-data catalogue at the moment of "
    "measuring, from the catalogue's own tables."
)


def count_public_datasets(
    session: Session, platform: Platform, tenant_id: int, period: Period | None
) -> Measurement:
    now = platform.clock.now()
    total = session.scalar(
        select(func.count()).where(Dataset.tenant_id == tenant_id, Dataset.private.is_(False))
    )
    return Measurement(float(total or 0), Period(now, now), METHOD)


OPEN_DATASETS = Measure(
    "open_datasets_published",
    "已开放数据集数",
    "Open datasets published",
    "opendata",
    "datasets",
    METHOD,
    u4ssc="Open Data (EC: ICT: PS: 1A)",
    compute=count_public_datasets,
)


def register_opendata_measures() -> None:
    register_measure(OPEN_DATASETS)


register_opendata_measures()  # on import: see the end of smartcity.plan.measures
