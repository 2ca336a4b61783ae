"""The LIVED programme: the action plan's projects and indicators as living, measured data."""
