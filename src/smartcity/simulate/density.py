"""How many devices of each kind a district holds: per 100,000 residents plus per km² of land.

District residents are the 2020 census figures (第七次全国人口普查, Shanghai Statistical Bureau
district bulletins; 24.87 M in all), land areas those of data/districts.csv (6,340 km²). The
simulated fleet is a plausible *connected* fleet, not an inventory of every object: where the
city has far more objects than sensors (road lights, manholes, parking spaces), the density is
that of the ones fitted with a networked sensor. Whole-city totals come out near 55,000.

Per kind (per 100k residents; per km²; whole city) and why:

- air quality station (0.6; 0.05; ~470): 19 national and ~50 municipal automatic stations, one
  per street/town (215) since 2019, and micro-stations around industry.
- water quality buoy (—; 0.04; ~250): automatic surface-water stations on the main rivers and
  lakes (about a tenth of the land is water).
- noise monitor (2; 0.02; ~620): functional-zone automatic monitors (GB 3096) and
  construction-site monitors.
- streetlight (60; 1.0; ~21,000): of ~650,000 road lights, about one in thirty has a single-lamp
  controller.
- traffic counter (8; 0.15; ~2,900): loop/video counters at the ~4,000 signalised junctions and
  on the expressways.
- smoke detector (30; —; ~7,500): networked smoke alarms fitted in elderly residents' and
  old-lane homes.
- manhole cover (20; 0.5; ~8,100): tilt/water-level sensors on the covers most at risk, out of
  more than a million.
- pipe pressure sensor (3; 0.1; ~1,400): pressure points of the water-supply and drainage
  networks.
- Wi-Fi access point (15; —; ~3,700): the i-Shanghai public hotspots, several access points each.
- parking spot (40; —; ~10,000): on-street spaces with a geomagnetic sensor.
"""

from __future__ import annotations

from dataclasses import dataclass

from smartcity.sensing.device_types import DeviceKind

# Resident population, 2020 census, by district code.
DISTRICT_RESIDENTS: dict[str, int] = {
    "310101": 662_030,  # 黄浦
    "310104": 1_113_078,  # 徐汇
    "310105": 693_051,  # 长宁
    "310106": 975_707,  # 静安
    "310107": 1_239_842,  # 普陀
    "310109": 757_498,  # 虹口
    "310110": 1_242_548,  # 杨浦
    "310112": 2_653_489,  # 闵行
    "310113": 2_235_218,  # 宝山
    "310114": 1_834_258,  # 嘉定
    "310115": 5_681_512,  # 浦东新区
    "310116": 822_776,  # 金山
    "310117": 1_909_713,  # 松江
    "310118": 1_271_424,  # 青浦
    "310120": 1_140_872,  # 奉贤
    "310151": 637_921,  # 崇明
}
# For a district the census table does not know (an imported city): Shanghai's mean density.
MEAN_RESIDENTS_PER_KM2 = 3_920


@dataclass(frozen=True)
class Density:
    per_100k_residents: float
    per_km2: float


DENSITIES: dict[DeviceKind, Density] = {
    DeviceKind.AIR_QUALITY_STATION: Density(0.6, 0.05),
    DeviceKind.WATER_QUALITY_BUOY: Density(0.0, 0.04),
    DeviceKind.NOISE_MONITOR: Density(2.0, 0.02),
    DeviceKind.STREETLIGHT: Density(60.0, 1.0),
    DeviceKind.TRAFFIC_COUNTER: Density(8.0, 0.15),
    DeviceKind.SMOKE_DETECTOR: Density(30.0, 0.0),
    DeviceKind.MANHOLE_COVER: Density(20.0, 0.5),
    DeviceKind.PIPE_PRESSURE_SENSOR: Density(3.0, 0.1),
    DeviceKind.WIFI_ACCESS_POINT: Density(15.0, 0.0),
    DeviceKind.PARKING_SPOT: Density(40.0, 0.0),
}


def residents(district_code: str, land_km2: float) -> float:
    return float(DISTRICT_RESIDENTS.get(district_code, land_km2 * MEAN_RESIDENTS_PER_KM2))


def district_counts(
    district_code: str, land_km2: float, share: float = 1.0
) -> dict[DeviceKind, int]:
    """Devices of each kind in a district, or in `share` of it (a street); at least one each."""
    people = residents(district_code, land_km2) * share
    area = land_km2 * share
    counts = {}
    for kind, d in DENSITIES.items():
        expected = d.per_100k_residents * people / 100_000 + d.per_km2 * area
        counts[kind] = max(1, round(expected))
    return counts
