"""Readings as CSV (`device_id,attribute,value,observed_at`, one reading a row) into the same
items as JSON, so both go through one parser. Values are typed as a sensor would have sent them
in JSON: integers, decimals, true/false, else text."""

from __future__ import annotations

import csv
import io
from typing import Any

from smartcity.core.errors import ValidationFailed

COLUMNS = ("device_id", "attribute", "value", "observed_at")
REQUIRED = ("device_id", "attribute", "value")


def typed(text: str) -> Any:
    """A CSV cell as a JSON value: `35` → 35, `35.2` → 35.2, `NaN` → nan (refused later)."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        return float(stripped)
    except ValueError:
        return text


def read_csv(body: bytes) -> list[dict[str, Any]]:
    """The rows as items (`{"device_id", <attribute>: value, "observedAt"?}`), in file order."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("the CSV must be UTF-8", field="body") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationFailed(
            f"the CSV header lacks {', '.join(missing)} (columns: {', '.join(COLUMNS)})",
            field="body",
        )
    reader.fieldnames = header
    items: list[dict[str, Any]] = []
    try:
        for row in reader:
            attribute = (row.get("attribute") or "").strip()
            item: dict[str, Any] = {attribute: typed(row.get("value") or "")}
            item["device_id"] = (row.get("device_id") or "").strip()  # wins over an attribute
            when = (row.get("observed_at") or "").strip()
            if when:
                item["observedAt"] = when
            items.append(item)
    except csv.Error as exc:
        raise ValidationFailed(f"not CSV: {exc}", field="body") from None
    return items
