"""The rules part's tables."""

from __future__ import annotations
