"""The sensing part: the city's devices (registry), and later their ingestion and dead letters."""
