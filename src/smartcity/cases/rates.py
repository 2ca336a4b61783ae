"""The standard's closure rates over case records: 结案率 and 按期结案率.

Cases due (应结案数) are those closed by the cut-off plus those still open past their due time;
open cases not yet due, and paused ones (no due time), are not counted. A case closed on time
(按期结案) closed no later than its due time, which already includes its paused intervals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from smartcity.cases.calendar import aware


class CaseRecord(Protocol):
    @property
    def due_at(self) -> datetime | None: ...

    @property
    def closed_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class ClosureRates:
    due: int  # 应结案数
    closed: int  # 结案数
    closed_on_time: int  # 按期结案数

    @property
    def closure_rate(self) -> float | None:
        """结案率 = closed ÷ due; None when nothing is due."""
        return self.closed / self.due if self.due else None

    @property
    def on_time_closure_rate(self) -> float | None:
        """按期结案率 = closed on time ÷ due; None when nothing is due."""
        return self.closed_on_time / self.due if self.due else None


def closure_rates(records: Iterable[CaseRecord], as_of: datetime) -> ClosureRates:
    """Count the due, closed and closed-on-time cases among `records` at the cut-off `as_of`."""
    as_of = aware(as_of, "as_of")
    due = closed = on_time = 0
    for record in records:
        closed_at = aware(record.closed_at, "closed_at") if record.closed_at else None
        due_at = aware(record.due_at, "due_at") if record.due_at else None
        if closed_at is not None and closed_at <= as_of:
            due += 1
            closed += 1
            on_time += due_at is not None and closed_at <= due_at
        elif due_at is not None and due_at < as_of:
            due += 1
    return ClosureRates(due, closed, on_time)


def on_time_closure_rate(records: Iterable[CaseRecord], as_of: datetime) -> float | None:
    """按期结案率 of the records at the cut-off (closed on time ÷ due)."""
    return closure_rates(records, as_of).on_time_closure_rate


def closure_rate(records: Iterable[CaseRecord], as_of: datetime) -> float | None:
    """结案率 of the records at the cut-off (closed ÷ due)."""
    return closure_rates(records, as_of).closure_rate
