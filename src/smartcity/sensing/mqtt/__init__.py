"""MQTT ingestion: the worker that turns a broker's device topics into stored readings, and the
embedded broker of the demo."""
