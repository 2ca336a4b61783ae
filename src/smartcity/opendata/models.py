"""The open data part's tables."""

from __future__ import annotations
