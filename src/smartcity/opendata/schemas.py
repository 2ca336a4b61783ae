"""Reading CKAN-shaped input (package and resource dicts, action parameters) into checked values.

Field errors are gathered and raised together, as CKAN's Validation Error lists them by field.
DCAT fields may be sent at the top level of a package or as its `extras`.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from smartcity.core.errors import ValidationFailed
from smartcity.opendata.vocab import FORMATS, FREQUENCIES, LICENCES, THEMES

NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A personal mobile number (11 digits from 13x to 19x) must never be a contact point.
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
DISTRICT = re.compile(r"^\d{6}$")
DCAT_EXTRAS = (
    "title_en",
    "notes_en",
    "theme",
    "frequency",
    "spatial_districts",
    "spatial_bbox",
    "temporal_start",
    "temporal_end",
    "contact_name",
    "contact_email",
    "contact_url",
    "landing_page",
)
MAX_EXTRAS = 50


class Errors:
    """Field errors gathered while reading one input."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if not self.by_field:
            return
        field, messages = next(iter(self.by_field.items()))
        details = [{"field": f, "message": m} for f, ms in self.by_field.items() for m in ms]
        raise ValidationFailed(f"{field}: {messages[0]}", field=field, details=details)


def invalid(field: str, message: str) -> ValidationFailed:
    errors = Errors()
    errors.add(field, message)
    try:
        errors.raise_any()
    except ValidationFailed as exc:
        return exc
    raise AssertionError("unreachable")


def as_text(value: Any, field: str, errors: Errors, *, limit: int, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            errors.add(field, "Missing value")
        return ""
    if not isinstance(value, str):
        errors.add(field, "must be a string")
        return ""
    if len(value) > limit or "\x00" in value:
        errors.add(field, f"must be at most {limit} characters, without NUL")
        return ""
    return value.strip()


def as_name(value: Any, field: str, errors: Errors) -> str:
    name = as_text(value, field, errors, limit=100, required=True)
    if name and not NAME.match(name):
        errors.add(
            field, "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"
        )
    return name


def as_bool(value: Any, field: str, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise invalid(field, "Must be true or false")


def as_int(value: Any, field: str, *, default: int, minimum: int = 0, maximum: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None:
        raise invalid(field, "Invalid integer")
    if number < minimum:
        raise invalid(field, f"Must be a natural number at least {minimum}")
    if number > maximum:
        raise invalid(field, f"Must be less than or equal to {maximum}")
    return number


def as_list(value: Any, field: str, errors: Errors) -> list[Any]:
    """A list, a JSON list in a string, or a comma-separated string."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                errors.add(field, "is not a valid JSON list")
                return []
        else:
            return [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list):
        errors.add(field, "must be a list")
        return []
    return value


def _date(value: Any, field: str, errors: Errors) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        errors.add(field, "must be a date YYYY-MM-DD")
        return None


def _tags(value: Any, errors: Errors) -> list[str]:
    names: list[str] = []
    for item in as_list(value, "tags", errors):
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            errors.add("tags", "each tag needs a name of 1-100 characters")
            continue
        if name.strip() not in names:
            names.append(name.strip())
    return names


def _refs(value: Any, field: str, errors: Errors) -> list[str]:
    refs: list[str] = []
    for item in as_list(value, field, errors):
        ref = (item.get("id") or item.get("name")) if isinstance(item, dict) else item
        if not isinstance(ref, str) or not ref:
            errors.add(field, "each item needs an id or a name")
        elif ref not in refs:
            refs.append(ref)
    return refs


def _flatten(data: dict[str, Any], errors: Errors) -> tuple[dict[str, Any], dict[str, str]]:
    """Top-level fields with DCAT extras merged in, and the remaining free extras."""
    merged = dict(data)
    free: dict[str, str] = {}
    extras = data.get("extras")
    if extras is None:
        extras = []
    if not isinstance(extras, list) or len(extras) > MAX_EXTRAS:
        errors.add("extras", f"must be a list of at most {MAX_EXTRAS} {{key, value}}")
        return merged, free
    for item in extras:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            errors.add("extras", "each extra needs a key and a value")
            continue
        key, value = item["key"], item.get("value")
        if key in DCAT_EXTRAS:
            merged.setdefault(key, value)
        elif len(key) > 100 or not isinstance(value, str | int | float | None):
            errors.add("extras", f"extra {key[:100]!r} must have a short key and a string value")
        else:
            free[key] = "" if value is None else str(value)
    for source, target in (("title_translated", "title_en"), ("notes_translated", "notes_en")):
        translated = data.get(source)
        if isinstance(translated, dict) and translated.get("en"):
            merged.setdefault(target, translated["en"])
    return merged, free


def _vocabulary(value: Any, field: str, allowed: dict[str, Any], errors: Errors) -> str | None:
    if value in (None, ""):
        return None
    text = str(value).rsplit("/", 1)[-1].upper()  # a code or its authority URI
    if text not in allowed:
        errors.add(field, f"must be one of {', '.join(allowed)}")
        return None
    return text


def _contact(fields: dict[str, Any], errors: Errors) -> dict[str, Any]:
    out = {
        "contact_name": as_text(fields.get("contact_name"), "contact_name", errors, limit=200),
        "contact_email": as_text(fields.get("contact_email"), "contact_email", errors, limit=254)
        or None,
        "contact_url": as_text(fields.get("contact_url"), "contact_url", errors, limit=500) or None,
    }
    if out["contact_email"] and not EMAIL.match(out["contact_email"]):
        errors.add("contact_email", "is not an e-mail address")
    for key, value in out.items():
        if value and MOBILE.search(value):
            errors.add(key, "a contact point is an office, never a person's mobile number")
    return out


def _spatial(fields: dict[str, Any], errors: Errors) -> dict[str, Any]:
    districts = [
        str(d) for d in as_list(fields.get("spatial_districts"), "spatial_districts", errors)
    ]
    if any(not DISTRICT.match(d) for d in districts):
        errors.add("spatial_districts", "district codes have 6 digits")
    bbox_in = as_list(fields.get("spatial_bbox"), "spatial_bbox", errors)
    bbox: list[float] | None = None
    if bbox_in:
        try:
            bbox = [float(v) for v in bbox_in]
        except (TypeError, ValueError):
            bbox = None
        if bbox is None or len(bbox) != 4 or not _bbox_ok(bbox):
            errors.add("spatial_bbox", "must be [west, south, east, north] in degrees")
            bbox = None
    return {"spatial_districts": districts, "spatial_bbox": bbox}


def _bbox_ok(b: list[float]) -> bool:
    return -180 <= b[0] < b[2] <= 180 and -90 <= b[1] < b[3] <= 90


def read_package(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The dataset fields a package_create/update dict sets (only those it sends, on update)."""
    errors = Errors()
    fields, free = _flatten(data, errors)
    out: dict[str, Any] = {}

    def given(*keys: str) -> bool:
        return creating or any(k in fields for k in keys)

    if given("name"):
        out["name"] = as_name(fields.get("name"), "name", errors)
    if given("title"):
        out["title_zh"] = as_text(fields.get("title"), "title", errors, limit=300, required=True)
    if given("title_en"):
        out["title_en"] = as_text(fields.get("title_en"), "title_en", errors, limit=300)
    if given("notes"):
        out["notes_zh"] = as_text(fields.get("notes"), "notes", errors, limit=100_000)
    if given("notes_en"):
        out["notes_en"] = as_text(fields.get("notes_en"), "notes_en", errors, limit=100_000)
    if given("owner_org"):
        out["owner_org"] = as_text(
            fields.get("owner_org"), "owner_org", errors, limit=100, required=True
        )
    if given("license_id"):
        licence = fields.get("license_id") or "cc-by-4.0"
        if licence not in LICENCES:
            errors.add("license_id", f"must be one of {', '.join(LICENCES)}")
        out["license_id"] = licence
    if given("private"):
        try:
            out["private"] = as_bool(fields.get("private"), "private", default=False)
        except ValidationFailed:
            errors.add("private", "Must be true or false")
    if given("version"):
        out["version"] = as_text(fields.get("version"), "version", errors, limit=64)
    if given("theme"):
        themes = [
            _vocabulary(t, "theme", THEMES, errors)
            for t in as_list(fields.get("theme"), "theme", errors)
        ]
        out["themes"] = sorted({t for t in themes if t})
    if given("frequency"):
        out["frequency"] = _vocabulary(fields.get("frequency"), "frequency", FREQUENCIES, errors)
    if given("spatial_districts", "spatial_bbox"):
        out.update(_spatial(fields, errors))
    if given("temporal_start", "temporal_end"):
        out["temporal_start"] = _date(fields.get("temporal_start"), "temporal_start", errors)
        out["temporal_end"] = _date(fields.get("temporal_end"), "temporal_end", errors)
        if (
            out["temporal_start"]
            and out["temporal_end"]
            and out["temporal_start"] > out["temporal_end"]
        ):
            errors.add("temporal_end", "must not be before temporal_start")
    if given("contact_name", "contact_email", "contact_url"):
        out.update(_contact(fields, errors))
    if given("landing_page"):
        out["landing_page"] = (
            as_text(fields.get("landing_page"), "landing_page", errors, limit=500) or None
        )
    if given("tags"):
        out["tags"] = _tags(fields.get("tags"), errors)
    if given("groups"):
        out["groups"] = _refs(fields.get("groups"), "groups", errors)
    if given("extras"):
        out["extras"] = free
    if "resources" in fields:
        resources = as_list(fields.get("resources"), "resources", errors)
        out["resources"] = []
        for index, item in enumerate(resources):
            try:
                out["resources"].append(
                    read_resource(item, creating=True, prefix=f"resources.{index}.")
                )
            except ValidationFailed as exc:
                for detail in exc.details:
                    errors.add(detail["field"], detail["message"])
    errors.raise_any()
    return out


def read_resource(data: Any, *, creating: bool, prefix: str = "") -> dict[str, Any]:
    """The resource fields a resource dict sets."""
    errors = Errors()
    if not isinstance(data, dict):
        errors.add(prefix.rstrip(".") or "resource", "must be an object")
        errors.raise_any()
    out: dict[str, Any] = {}
    if data.get("id"):
        out["uid"] = str(data["id"])[:36]
    if creating or "name" in data:
        out["name"] = as_text(data.get("name"), prefix + "name", errors, limit=300)
    if creating or "description" in data:
        out["description"] = as_text(
            data.get("description"), prefix + "description", errors, limit=10_000
        )
    if creating or "url" in data:
        out["url"] = as_text(data.get("url"), prefix + "url", errors, limit=1000)
    if creating or "format" in data:
        fmt = str(data.get("format") or "").strip().lower().lstrip(".")
        if fmt not in FORMATS:
            errors.add(prefix + "format", "must be CSV, JSON or GeoJSON")
        else:
            out["format"] = FORMATS[fmt][0]
    errors.raise_any()
    return out
