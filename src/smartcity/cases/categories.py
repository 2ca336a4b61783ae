"""Case categories: components (部件) and events (事件) after GB/T 30428 / CJ/T 214, and 12345
hotline categories, each with its handling deadline and the kind of department that handles it.

The same parser checks the shipped default set and any administrator's edit of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from smartcity.cases.deadlines import Deadline, DeadlineUnit
from smartcity.cases.errors import InvalidCategory
from smartcity.geo.schemas import DEPARTMENT_KINDS


class CategoryKind(StrEnum):
    COMPONENT = "component"  # 部件
    EVENT = "event"  # 事件
    HOTLINE = "hotline"  # 12345 热线


KIND_PREFIX = {CategoryKind.COMPONENT: "C", CategoryKind.EVENT: "E", CategoryKind.HOTLINE: "H"}
CODE = re.compile(r"^[CEH][0-9]{2,8}$")
_FIELDS = {"code", "kind", "parent", "name_zh", "name_en", "deadline", "handler_kind"}


@dataclass(frozen=True)
class HandlerKind:
    """A kind of department that handles cases (water company, sanitation, traffic police …)."""

    code: str
    name_zh: str
    name_en: str
    org_kind: str  # the department kind in the city model (geo DEPARTMENT_KINDS)


@dataclass(frozen=True)
class Category:
    code: str
    kind: CategoryKind
    name_zh: str
    name_en: str
    parent: str | None = None
    deadline: Deadline | None = None
    handler_kind: str | None = None

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh


@dataclass(frozen=True)
class CategorySet:
    """A checked set of categories; build it with `parse_categories`, never by hand."""

    categories: Mapping[str, Category]
    handler_kinds: Mapping[str, HandlerKind]

    def get(self, code: str) -> Category:
        try:
            return self.categories[code]
        except KeyError:
            raise InvalidCategory(f"unknown category {code!r}", field="category") from None

    def __contains__(self, code: object) -> bool:
        return code in self.categories

    def __len__(self) -> int:
        return len(self.categories)

    def children(self, code: str | None) -> list[Category]:
        return [c for c in self.categories.values() if c.parent == code]

    def of_kind(self, kind: CategoryKind) -> list[Category]:
        return [c for c in self.categories.values() if c.kind == kind]

    def assignable(self) -> list[Category]:
        """Categories a case can be filed under: those without subcategories."""
        parents = {c.parent for c in self.categories.values()}
        return [c for c in self.categories.values() if c.code not in parents]

    def deadline_of(self, code: str) -> Deadline:
        """The category's deadline, or the nearest ancestor's."""
        category: Category | None = self.get(code)
        while category is not None:
            if category.deadline is not None:
                return category.deadline
            category = self.categories.get(category.parent) if category.parent else None
        raise InvalidCategory(f"category {code!r} has no deadline", field="deadline")

    def handler_kind_of(self, code: str) -> HandlerKind | None:
        category: Category | None = self.get(code)
        while category is not None:
            if category.handler_kind is not None:
                return self.handler_kinds[category.handler_kind]
            category = self.categories.get(category.parent) if category.parent else None
        return None

    def to_raw(self) -> dict[str, Any]:
        """The set in the data file's shape, so an edit is a change to this and a re-parse."""
        return {
            "handler_kinds": {
                k.code: {"name_zh": k.name_zh, "name_en": k.name_en, "org_kind": k.org_kind}
                for k in self.handler_kinds.values()
            },
            "categories": [_raw_category(c) for c in self.categories.values()],
        }

    def with_category(self, entry: Mapping[str, Any]) -> CategorySet:
        """The set with one category added or replaced (an admin's edit), checked whole."""
        raw = self.to_raw()
        raw["categories"] = [c for c in raw["categories"] if c["code"] != entry.get("code")]
        raw["categories"].append(dict(entry))
        return parse_categories(raw)

    def without_category(self, code: str) -> CategorySet:
        """The set with one category removed; refused while it has subcategories."""
        self.get(code)
        raw = self.to_raw()
        raw["categories"] = [c for c in raw["categories"] if c["code"] != code]
        return parse_categories(raw)


def _raw_category(c: Category) -> dict[str, Any]:
    raw: dict[str, Any] = {"code": c.code, "kind": c.kind.value}
    raw.update(name_zh=c.name_zh, name_en=c.name_en)
    if c.parent:
        raw["parent"] = c.parent
    if c.deadline:
        raw["deadline"] = {"amount": c.deadline.amount, "unit": c.deadline.unit.value}
    if c.handler_kind:
        raw["handler_kind"] = c.handler_kind
    return raw


def parse_categories(raw: Mapping[str, Any]) -> CategorySet:
    """Check and build a category set; every problem found is reported at once."""
    problems: list[dict[str, str]] = []
    kinds = _handler_kinds(raw.get("handler_kinds", {}), problems)
    categories: dict[str, Category] = {}
    for index, entry in enumerate(raw.get("categories", [])):
        category = _category(entry, kinds, problems, index)
        if category is None:
            continue
        if category.code in categories:
            problems.append({"field": category.code, "message": "duplicate category code"})
            continue
        categories[category.code] = category
    _check_tree(categories, problems)
    if problems:
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
        raise InvalidCategory(f"invalid categories: {summary}", details=problems)
    return CategorySet(categories, kinds)


def _handler_kinds(
    raw: Mapping[str, Any], problems: list[dict[str, str]]
) -> dict[str, HandlerKind]:
    kinds: dict[str, HandlerKind] = {}
    for code, entry in raw.items():
        try:
            kinds[code] = HandlerKind(
                code, str(entry["name_zh"]), str(entry["name_en"]), str(entry["org_kind"])
            )
        except (KeyError, TypeError):
            problems.append({"field": code, "message": "a handler kind needs names and org_kind"})
            continue
        if kinds[code].org_kind not in DEPARTMENT_KINDS:
            problems.append({"field": code, "message": f"unknown org_kind {entry['org_kind']!r}"})
    return kinds


def _category(
    entry: Any, kinds: Mapping[str, HandlerKind], problems: list[dict[str, str]], index: int
) -> Category | None:
    if not isinstance(entry, Mapping):
        problems.append({"field": f"categories[{index}]", "message": "must be an object"})
        return None
    code = str(entry.get("code", ""))
    where = code or f"categories[{index}]"

    def bad(message: str) -> None:
        problems.append({"field": where, "message": message})

    unknown = set(entry) - _FIELDS
    if unknown:
        return bad(f"unknown fields {sorted(unknown)}")
    if not CODE.match(code):
        return bad("code must be C, E or H followed by 2 to 8 digits")
    try:
        kind = CategoryKind(entry.get("kind"))
    except ValueError:
        return bad("kind must be component, event or hotline")
    if code[0] != KIND_PREFIX[kind]:
        return bad(f"a {kind} code starts with {KIND_PREFIX[kind]}")
    names = [entry.get("name_zh"), entry.get("name_en")]
    if not all(isinstance(n, str) and n.strip() and len(n) <= 200 for n in names):
        return bad("name_zh and name_en must be non-empty text of at most 200 characters")
    deadline = None
    if entry.get("deadline") is not None:
        try:
            spec = entry["deadline"]
            deadline = Deadline(spec["amount"], DeadlineUnit(spec["unit"]))
        except (KeyError, TypeError, ValueError):
            return bad("deadline must be a positive amount of working_hours or working_days")
    handler = entry.get("handler_kind")
    if handler is not None and handler not in kinds:
        return bad(f"unknown handler_kind {handler!r}")
    parent = entry.get("parent")
    return Category(code, kind, names[0].strip(), names[1].strip(), parent, deadline, handler)


def _check_tree(categories: Mapping[str, Category], problems: list[dict[str, str]]) -> None:
    parents = {c.parent for c in categories.values()}
    for c in categories.values():
        if c.parent is not None:
            parent = categories.get(c.parent)
            if parent is None:
                problems.append({"field": c.code, "message": f"parent {c.parent!r} does not exist"})
                continue
            if parent.kind != c.kind or not c.code.startswith(parent.code) or c.code == parent.code:
                problems.append(
                    {"field": c.code, "message": "a subcategory extends its parent's code and kind"}
                )
        if c.code not in parents and _inherited(categories, c, "deadline") is None:
            problems.append(
                {"field": c.code, "message": "needs a deadline (its own or a parent's)"}
            )
        if c.code not in parents and _inherited(categories, c, "handler_kind") is None:
            problems.append({"field": c.code, "message": "needs a handler_kind"})


def _inherited(categories: Mapping[str, Category], c: Category, name: str) -> Any:
    seen: set[str] = set()
    node: Category | None = c
    while node is not None and node.code not in seen:
        seen.add(node.code)
        if getattr(node, name) is not None:
            return getattr(node, name)
        node = categories.get(node.parent) if node.parent else None
    return None


def read_categories(text: str) -> CategorySet:
    """Parse a category file's JSON text."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidCategory(f"not valid JSON: {exc.msg}") from None
    if not isinstance(raw, Mapping):
        raise InvalidCategory("a category file is a JSON object")
    return parse_categories(raw)


@cache
def default_categories() -> CategorySet:
    """The shipped default set (data/categories.json)."""
    path = resources.files("smartcity.cases").joinpath("data/categories.json")
    return read_categories(path.read_text("utf-8"))
