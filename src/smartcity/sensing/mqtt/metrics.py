"""What an ingestion worker counts, in its own Prometheus registry (several workers may live in
one process: the demo, the tests)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class WorkerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.received = Counter(
            "smartcity_mqtt_messages_received",
            "MQTT messages received by the ingestion worker.",
            registry=self.registry,
        )
        self.acknowledged = Counter(
            "smartcity_mqtt_messages_acknowledged",
            "QoS 1 messages acknowledged to the broker after their batch was committed.",
            registry=self.registry,
        )
        self.stored = Counter(
            "smartcity_mqtt_readings_stored",
            "Readings stored (history and current value) from MQTT.",
            registry=self.registry,
        )
        self.duplicates = Counter(
            "smartcity_mqtt_readings_duplicate",
            "Readings received again (redelivered) and not stored twice.",
            registry=self.registry,
        )
        self.dead = Counter(
            "smartcity_mqtt_dead_letters",
            "Payloads or readings from MQTT turned into dead letters, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.batches = Counter(
            "smartcity_mqtt_batches_committed",
            "Batches of MQTT messages committed to the database.",
            registry=self.registry,
        )
        self.retries = Counter(
            "smartcity_mqtt_store_retries",
            "Attempts to store a batch that failed because the database was unreachable.",
            registry=self.registry,
        )

    def value(self, name: str, **labels: str) -> float:
        """A counter's current total (for tests and the benchmark)."""
        found = self.registry.get_sample_value(f"{name}_total", labels or None)
        return found or 0.0
