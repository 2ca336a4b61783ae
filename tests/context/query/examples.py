"""The Smart Data Models examples the query tests read, from the repository's data/ folder.

The examples are © the Smart Data Models initiative, licensed CC BY 4.0 (their LICENSE).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

PLACES = (Path(__file__).parents[3] / "data" / "smart-data-models",)


@cache
def _read(path: Path) -> str:
    return path.read_text()


def load_example(model: str) -> dict[str, Any]:
    """The normalized NGSI-LD example of one Smart Data Model."""
    for place in PLACES:
        path = place / model / "example-normalized.jsonld"
        if path.exists():
            return json.loads(_read(path))  # a fresh copy each time: tests may not share state
    pytest.skip(f"the Smart Data Models example {model} is not available")
