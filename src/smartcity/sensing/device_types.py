"""The kinds of device the city registers, each with the Smart Data Model of the entity it feeds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DeviceKind(StrEnum):
    AIR_QUALITY_STATION = "air_quality_station"
    WATER_QUALITY_BUOY = "water_quality_buoy"
    NOISE_MONITOR = "noise_monitor"
    STREETLIGHT = "streetlight"
    TRAFFIC_COUNTER = "traffic_counter"
    SMOKE_DETECTOR = "smoke_detector"
    MANHOLE_COVER = "manhole_cover"
    PIPE_PRESSURE_SENSOR = "pipe_pressure_sensor"
    WIFI_ACCESS_POINT = "wifi_access_point"
    PARKING_SPOT = "parking_spot"


@dataclass(frozen=True)
class DeviceType:
    """One kind of device: its names, the Smart Data Model it feeds, and how the Device model
    describes it (`deviceCategory` and `controlledProperty` take the model's enumerated values)."""

    kind: DeviceKind
    name_zh: str
    name_en: str
    sdm_type: str
    categories: tuple[str, ...]
    controlled: tuple[str, ...]


# Kinds without a model of their own among those the platform maps feed a DeviceMeasurement.
DEVICE_TYPES: dict[DeviceKind, DeviceType] = {
    t.kind: t
    for t in (
        DeviceType(
            DeviceKind.AIR_QUALITY_STATION,
            "空气质量监测站",
            "Air quality station",
            "AirQualityObserved",
            ("sensor",),
            ("airPollution", "temperature", "humidity"),
        ),
        DeviceType(
            DeviceKind.WATER_QUALITY_BUOY,
            "水质监测浮标",
            "Water quality buoy",
            "WaterQualityObserved",
            ("sensor",),
            ("waterPollution", "pH", "turbidity", "temperature"),
        ),
        DeviceType(
            DeviceKind.NOISE_MONITOR,
            "噪声监测仪",
            "Noise monitor",
            "NoiseLevelObserved",
            ("sensor",),
            ("noiseLevel",),
        ),
        DeviceType(
            DeviceKind.STREETLIGHT,
            "路灯控制器",
            "Streetlight",
            "Streetlight",
            ("actuator", "sensor"),
            ("light", "power"),
        ),
        DeviceType(
            DeviceKind.TRAFFIC_COUNTER,
            "交通流量计数器",
            "Traffic counter",
            "TrafficFlowObserved",
            ("sensor",),
            ("trafficFlow", "averageVelocity"),
        ),
        DeviceType(
            DeviceKind.SMOKE_DETECTOR,
            "烟雾探测器",
            "Smoke detector",
            "DeviceMeasurement",
            ("sensor",),
            ("smoke", "temperature"),
        ),
        DeviceType(
            DeviceKind.MANHOLE_COVER,
            "井盖监测器",
            "Manhole cover sensor",
            "DeviceMeasurement",
            ("sensor",),
            ("motion", "waterLevel"),
        ),
        DeviceType(
            DeviceKind.PIPE_PRESSURE_SENSOR,
            "管网压力传感器",
            "Pipe pressure sensor",
            "DeviceMeasurement",
            ("sensor", "meter"),
            ("pressure",),
        ),
        DeviceType(
            DeviceKind.WIFI_ACCESS_POINT,
            "公共Wi-Fi接入点",
            "Public Wi-Fi access point",
            "DeviceMeasurement",
            ("network",),
            ("occupancy",),
        ),
        DeviceType(
            DeviceKind.PARKING_SPOT,
            "停车位传感器",
            "Parking spot sensor",
            "ParkingSpot",
            ("sensor",),
            ("occupancy",),
        ),
    )
}


def default_entity_id(kind: DeviceKind, device_id: str) -> str:
    """The NGSI-LD entity a device feeds unless told otherwise: urn:ngsi-ld:<SDM type>:<id>."""
    return f"urn:ngsi-ld:{DEVICE_TYPES[kind].sdm_type}:{device_id}"


def device_entity_id(device_id: str) -> str:
    """The id of the NGSI-LD `Device` entity that describes the device itself."""
    return f"urn:ngsi-ld:Device:{device_id}"
