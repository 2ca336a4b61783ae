"""The units indicators are kept in, with their names and the range a value may take."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    code: str
    symbol_zh: str
    symbol_en: str
    scale: float  # how many plain units (yuan, households …) one unit of the indicator is
    minimum: float
    maximum: float

    def label(self) -> str:
        return f"{self.symbol_zh} / {self.symbol_en}"


_COUNT = 1e12  # counts have no natural ceiling; this only stops typing mistakes of many digits

UNITS: dict[str, Unit] = {
    u.code: u
    for u in (
        Unit("percent", "%", "%", 1, 0, 100),
        Unit("index", "指数", "index points", 1, 0, 1000),
        Unit("households", "户", "households", 1, 0, _COUNT),
        Unit("subscribers", "户", "subscribers", 1, 0, _COUNT),
        Unit("mbps", "Mbit/s", "Mbit/s", 1, 0, 1e6),
        Unit("access_points", "个", "access points", 1, 0, _COUNT),
        Unit("places", "处", "places", 1, 0, _COUNT),
        Unit("records", "份", "records", 1, 0, _COUNT),
        Unit("communities", "个", "communities", 1, 0, _COUNT),
        Unit("days", "天", "days", 1, 0, 36600),
        Unit("cny_100m", "亿元", "100 million yuan", 1e8, 0, 1e7),
        Unit("projects", "个", "projects", 1, 0, 1000),
        Unit("datasets", "个", "datasets", 1, 0, _COUNT),
    )
}
