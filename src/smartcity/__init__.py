"""smartcity: an open urban operations platform."""

__version__ = "0.1.0"
