"""A simulated Shanghai: a fleet of devices placed over the city model, their readings as pure
functions of (device, simulated time, seed), and a publisher sending them over MQTT."""
