"""The enabled rules of a tenant in memory, indexed by (attribute, area), so that evaluating a
batch costs a few dictionary lookups per reading. One index per database and tenant, reloaded
when the tenant's rules revision (bumped by every rule change, in any process) has moved."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.core.db import Database
from smartcity.rules.kinds import JUDGES, Judge, keeps_state_every_reading
from smartcity.rules.models import Rule, RuleRevision
from smartcity.sensing.device_types import DEVICE_TYPES, DeviceKind
from smartcity.sensing.models import Device

AreaKey = tuple[str, str | None]  # (level, code)
AREA_COLUMNS = (
    ("district", "district_code"),
    ("street", "street_code"),
    ("community", "community_code"),
    ("cell", "cell_code"),
)


@dataclass(frozen=True, eq=False)
class CompiledRule:
    """A rule as the evaluator needs it, with its judge built once."""

    id: int
    tenant_id: int
    kind: str
    attribute: str | None
    device_type: str | None
    entity_type: str | None
    area: AreaKey
    params: dict[str, Any]
    severity: str
    auto_resolve: bool
    name_zh: str
    name_en: str
    case_category: str | None
    judge: Judge | None
    stateful: bool  # whether its state changes with every reading (else only when it fires)

    def watches(self, device_type: str) -> bool:
        if self.device_type is not None:
            return self.device_type == device_type
        return DEVICE_TYPES[DeviceKind(device_type)].sdm_type == self.entity_type


def compile_rule(rule: Rule) -> CompiledRule:
    make = JUDGES.get(rule.kind)
    return CompiledRule(
        id=rule.id,
        tenant_id=rule.tenant_id,
        kind=rule.kind,
        attribute=rule.attribute,
        device_type=rule.device_type,
        entity_type=rule.entity_type,
        area=(rule.area_level, rule.area_code),
        params=dict(rule.params),
        severity=rule.severity,
        auto_resolve=rule.auto_resolve,
        name_zh=rule.name_zh,
        name_en=rule.name_en,
        case_category=rule.case_category,
        judge=make(rule.params) if make is not None else None,
        stateful=keeps_state_every_reading(rule.kind, rule.params),
    )


@dataclass
class RuleIndex:
    revision: int
    by_id: dict[int, CompiledRule] = field(default_factory=dict)
    by_place: dict[tuple[str, str, str | None], list[CompiledRule]] = field(default_factory=dict)
    silence: list[CompiledRule] = field(default_factory=list)
    # (attribute, device type, cell code) → rules: most readings come from places seen before
    _found: dict[tuple[str, str, str | None], list[CompiledRule]] = field(default_factory=dict)

    def add(self, rule: CompiledRule) -> None:
        self.by_id[rule.id] = rule
        if rule.kind == "silence":
            self.silence.append(rule)
        elif rule.attribute is not None:
            self.by_place.setdefault((rule.attribute, *rule.area), []).append(rule)

    @property
    def empty(self) -> bool:
        return not self.by_id

    def rules_for(self, attribute: str, device: Device) -> list[CompiledRule]:
        """The rules judging this attribute of this device: city-wide, then by its areas."""
        # a cell's code holds its community's, street's and district's: it names the place
        memo = (attribute, device.device_type, device.cell_code)
        found = self._found.get(memo)
        if found is not None:
            return found
        codes = (device.district_code, device.street_code, device.community_code, device.cell_code)
        found = []
        keys = [(attribute, "city", None)]
        keys += [
            (attribute, level, code) for (level, _), code in zip(AREA_COLUMNS, codes, strict=True)
        ]
        for key in keys:
            rules = self.by_place.get(key)
            if rules:
                found.extend(r for r in rules if r.watches(device.device_type))
        if len(self._found) > MEMO_LIMIT:
            self._found.clear()
        self._found[memo] = found
        return found


MEMO_LIMIT = 200_000
EMPTY = RuleIndex(revision=0)
_lock = threading.Lock()
_indexes: weakref.WeakKeyDictionary[Database, dict[int, RuleIndex]] = weakref.WeakKeyDictionary()


def current_revision(session: Session, tenant_id: int) -> int:
    found = session.scalar(select(RuleRevision.revision).where(RuleRevision.tenant_id == tenant_id))
    return found or 0


def load_index(session: Session, tenant_id: int, revision: int) -> RuleIndex:
    index = RuleIndex(revision=revision)
    rows = session.scalars(
        select(Rule).where(Rule.tenant_id == tenant_id, Rule.enabled.is_(True)).order_by(Rule.id)
    )
    for rule in rows:
        index.add(compile_rule(rule))
    return index


def rule_index(session: Session, db: Database, tenant_id: int) -> RuleIndex:
    """The tenant's index, reloaded when its revision moved (one small query per call)."""
    revision = current_revision(session, tenant_id)
    if revision == 0:
        return EMPTY
    with _lock:
        cached = _indexes.setdefault(db, {}).get(tenant_id)
    if cached is not None and cached.revision == revision:
        return cached
    index = load_index(session, tenant_id, revision)
    with _lock:
        _indexes.setdefault(db, {})[tenant_id] = index
    return index
