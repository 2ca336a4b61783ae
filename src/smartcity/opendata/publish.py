"""The boundary of the publishing jobs (not built yet): how operational data will become open
datasets, and the privacy rules no job may skip.

A job reads another part only through that part's `service.py`, turns what it read into rows,
passes them through the privacy rules below, and writes them into the catalogue through this
part's services (`service.create_dataset` / `update_dataset`, `datastore.service.create` /
`upsert`), so that every publication is audited and versioned like an editor's change. It runs
as the platform (a `cli`-kind principal) on a schedule, takes ids and opens its own session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from smartcity.core.clock import Clock

# Counts below this are suppressed in every published table (k-anonymity threshold).
K_MIN = 5


@dataclass(frozen=True)
class Publication:
    """What one run of a job published: the dataset, the rows, and what it read, when."""

    dataset_name: str
    rows: list[dict[str, Any]]
    read: list[str]  # the sources read, e.g. "cases.service.daily_counts(2026-01-05)"
    read_at: datetime
    suppressed: int = 0  # cells withheld because their count was below K_MIN
    notes: list[str] = field(default_factory=list)


class PublishingJob(Protocol):
    """One scheduled publication (hourly air quality by district, daily cases by street …)."""

    name: str
    dataset_name: str
    schedule: str  # ISO 8601 repeating interval, e.g. R/2026-01-01T00:05:00+08:00/PT1H

    def collect(self, session: Session, clock: Clock, tenant_id: int) -> Publication:
        """Read, coarsen locations to the grid cell or street, drop personal data, count."""
        ...
