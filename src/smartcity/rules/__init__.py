"""Rules turn readings into alerts: thresholds, rates of change, silence and anomalies."""
