"""Bulk registration from CSV: one device a row, created or updated by device id.

Each row is its own unit of work: a bad row is reported (row number, column, reason) and the good
rows are kept. Importing the same file again changes nothing; an empty cell leaves a field as it
is (a new device gets the default). Credentials are issued only to devices the file creates.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from smartcity.core.errors import SmartCityError, ValidationFailed
from smartcity.platform import Platform
from smartcity.security.principal import Principal
from smartcity.sensing import service
from smartcity.sensing.credentials import CREDENTIAL_KINDS, IssuedCredentials
from smartcity.sensing.schemas import DeviceCreate

COLUMNS = (
    "device_id",
    "type",
    "lon",
    "lat",
    "name",
    "model",
    "department",
    "entity_id",
    "status",
    "credentials",
)
REQUIRED = ("device_id", "type", "lon", "lat")
MAX_ROWS = 100_000
_KIND_SEPARATORS = re.compile(r"[\s;+|/]+")


@dataclass(frozen=True)
class RowError:
    row: int  # the header is row 1, as a spreadsheet numbers it
    device_id: str | None
    field: str | None
    message: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    issued: list[IssuedCredentials] = field(default_factory=list)

    def summary(self) -> str:
        """For a terminal: the counts, then each bad row on its own line."""
        lines = [
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{self.unchanged} unchanged, {len(self.errors)} rejected"
        ]
        for e in self.errors:
            where = f" {e.field}" if e.field else ""
            lines.append(f"row {e.row} ({e.device_id or '?'}){where}: {e.message}")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Row:
    number: int
    values: dict[str, str]
    overlong: bool = False  # more cells than the header has columns


def decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM spreadsheets write), else GB 18030 as Chinese Excel saves."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed("the file is neither UTF-8 nor GB 18030 text", field="file")


def read_rows(text: str) -> list[_Row]:
    """The data rows with their non-empty cells by column; a bad header refuses the whole file."""
    if "\x00" in text:
        raise ValidationFailed("the file contains NUL characters; is it a CSV file?", field="file")
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ValidationFailed(f"the file is not valid CSV: {exc}", field="file") from None
    if not records or not any(c.strip() for c in records[0]):
        raise ValidationFailed("the file has no header row", field="file")
    header = [c.strip().lower() for c in records[0]]
    _check_header(header)
    if len(records) - 1 > MAX_ROWS:
        raise ValidationFailed(f"at most {MAX_ROWS} devices per file", field="file")
    rows = []
    for index, cells in enumerate(records[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines, e.g. at the end of the file
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
        overlong = len(cells) > len(header) and any(c.strip() for c in cells[len(header) :])
        rows.append(_Row(index, {k: v for k, v in values.items() if v != ""}, overlong))
    return rows


def _check_header(header: list[str]) -> None:
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise ValidationFailed(
            f"unknown column(s) {', '.join(map(repr, unknown))}; the columns are "
            + ", ".join(COLUMNS),
            field="header",
        )
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        raise ValidationFailed(f"column(s) {', '.join(twice)} appear twice", field="header")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationFailed(f"missing column(s) {', '.join(missing)}", field="header")


def _spec(row: _Row) -> DeviceCreate:
    values: dict[str, Any] = dict(row.values)
    if "credentials" in values:
        values["credentials"] = _kinds(values["credentials"])
    return DeviceCreate.model_validate(values)


def _kinds(cell: str) -> list[str]:
    words = [w for w in _KIND_SEPARATORS.split(cell.lower()) if w]
    if words == ["both"]:
        return list(CREDENTIAL_KINDS)
    if words == ["none"]:
        return []
    return words


def _validation_error(row: _Row, exc: ValidationError) -> RowError:
    first = exc.errors()[0]
    column = str(first["loc"][0]) if first.get("loc") else None
    return RowError(row.number, row.values.get("device_id"), column, first["msg"])


def import_devices(
    session: Session, platform: Platform, principal: Principal, data: bytes | str
) -> ImportReport:
    """Create or update a device for every good row of a CSV file; report every bad one."""
    rows = read_rows(decode(data) if isinstance(data, bytes) else data)
    report = ImportReport()
    specs: list[tuple[_Row, DeviceCreate]] = []
    seen: dict[str, int] = {}
    for row in rows:
        device_id = row.values.get("device_id")
        if row.overlong:
            report.errors.append(RowError(row.number, device_id, None, "more cells than columns"))
            continue
        if device_id in seen:
            message = f"device {device_id} is already in row {seen[device_id]}"
            report.errors.append(RowError(row.number, device_id, "device_id", message))
            continue
        try:
            spec = _spec(row)
        except ValidationError as exc:
            report.errors.append(_validation_error(row, exc))
            continue
        seen[spec.device_id] = row.number
        specs.append((row, spec))
    cells = service.locate_cells(
        session, platform, principal.tenant_id, [(s.lon, s.lat) for _, s in specs]
    )
    has_cells = service.city_has_cells(session, platform, principal.tenant_id)
    for (row, spec), cell in zip(specs, cells, strict=True):
        if cell is None and has_cells:
            report.errors.append(
                RowError(row.number, spec.device_id, "lon", "no unit grid cell holds this point")
            )
            continue
        try:
            _write(session, platform, principal, row, spec, cell, report)
        except SmartCityError as exc:
            session.rollback()
            report.errors.append(RowError(row.number, spec.device_id, exc.field, exc.message))
    return report


def _write(
    session: Session,
    platform: Platform,
    principal: Principal,
    row: _Row,
    spec: DeviceCreate,
    cell: str | None,
    report: ImportReport,
) -> None:
    if service.find_device(session, principal.tenant_id, spec.device_id) is None:
        _, issued = service.create_device(session, platform, principal, spec, located=(cell,))
        report.created.append(spec.device_id)
        report.issued.append(issued)
        return
    given = set(row.values) - {"device_id", "credentials"}
    changes = {name: getattr(spec, name) for name in given}
    _, changed = service.update_device(
        session, platform, principal, device_id=spec.device_id, changes=changes, located=(cell,)
    )
    if changed:
        report.updated.append(spec.device_id)
    else:
        report.unchanged += 1
