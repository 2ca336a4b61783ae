"""The plan part's tables."""

from __future__ import annotations
