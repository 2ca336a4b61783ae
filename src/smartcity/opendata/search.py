"""package_search: Solr-like `q` and `fq` terms, sorts and facets, answered in SQL.

Terms are `word`, `"a phrase"`, `field:value` or `field:"a value"`, each optionally negated with
`-` (a leading `+` is allowed); all terms must hold. `*:*` matches everything.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from smartcity.core.errors import BadRequest
from smartcity.opendata import access
from smartcity.opendata.models import (
    Dataset,
    DatasetGroup,
    DatasetTag,
    Group,
    Organisation,
    Resource,
)
from smartcity.opendata.package import package_dicts
from smartcity.opendata.schemas import as_bool, as_int
from smartcity.opendata.vocab import THEMES
from smartcity.security.principal import Principal

MAX_ROWS = 1000
MAX_START = 1_000_000
DEFAULT_SORT = "score desc, metadata_modified desc"
_TERM = re.compile(r'\s*([+-]?)(?:([A-Za-z_.]+):)?("(?:[^"\\]|\\.)*"|[^\s"]+)')


class SearchQueryError(BadRequest):
    """A q, fq or sort the catalogue cannot read (CKAN: 'Search Query Error', HTTP 400)."""

    code = "search_query_error"


@dataclass(frozen=True)
class Term:
    negated: bool
    field: str | None
    value: str


def parse_terms(text: str, parameter: str) -> list[Term]:
    terms: list[Term] = []
    position, text = 0, text.strip()
    while position < len(text):
        match = _TERM.match(text, position)
        if match is None or match.end() == position:
            raise SearchQueryError(
                f"Search Query is invalid: cannot read {parameter} at {text[position:][:40]!r}"
            )
        sign, field, value = match.groups()
        position = match.end()
        if value.startswith('"'):
            value = value[1:-1].replace('\\"', '"')
        elif field is None and value in ("AND", "&&"):
            continue
        elif field is None and value in ("OR", "||", "NOT"):
            raise SearchQueryError(
                f"Search Query is invalid: {value} is not supported in {parameter}"
            )
        if field == "*" or (field is None and value == "*:*"):
            continue
        terms.append(Term(sign == "-", field, value))
    return terms


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _text(value: str) -> ColumnElement[bool]:
    pattern = _like(value)
    tag = exists().where(
        DatasetTag.dataset_id == Dataset.id, DatasetTag.name.ilike(pattern, escape="\\")
    )
    columns = (Dataset.title_zh, Dataset.title_en, Dataset.notes_zh, Dataset.notes_en, Dataset.name)
    return or_(*(c.ilike(pattern, escape="\\") for c in columns), tag)


def _field(field: str, value: str) -> ColumnElement[bool]:
    if field in ("text", "title", "notes"):
        return _text(value)
    if field == "tags":
        return exists().where(DatasetTag.dataset_id == Dataset.id, DatasetTag.name == value)
    if field in ("organization", "owner_org"):
        column = Organisation.name if field == "organization" else Organisation.uid
        return exists().where(Organisation.id == Dataset.organisation_id, column == value)
    if field == "groups":
        return exists().where(
            DatasetGroup.dataset_id == Dataset.id,
            Group.id == DatasetGroup.group_id,
            or_(Group.name == value, Group.uid == value),
        )
    if field == "res_format":
        return exists().where(
            Resource.dataset_id == Dataset.id, func.lower(Resource.format) == value.lower()
        )
    if field == "theme":
        code = value.rsplit("/", 1)[-1].upper()
        return cast(Dataset.themes, String).like(_like(f'"{code}"'), escape="\\")
    simple = {
        "license_id": Dataset.license_id,
        "name": Dataset.name,
        "id": Dataset.uid,
        "frequency": Dataset.frequency,
    }
    if field in simple:
        return simple[field] == value
    if field == "capacity":
        return Dataset.private.is_(value == "private")
    if field in ("dataset_type", "type"):
        return true() if value == "dataset" else false()
    if field == "state":
        return true() if value == "active" else false()
    raise SearchQueryError(f"Search Query is invalid: unknown field {field!r}")


def conditions(terms: list[Term]) -> list[ColumnElement[bool]]:
    out = []
    for term in terms:
        condition = _text(term.value) if term.field is None else _field(term.field, term.value)
        out.append(~condition if term.negated else condition)
    return out


_SORTS = {
    "metadata_modified": Dataset.modified_at,
    "metadata_created": Dataset.created_at,
    "name": Dataset.name,
    "title_string": Dataset.title_zh,
    "title": Dataset.title_zh,
}


def order_by(sort: str) -> list[Any]:
    clauses: list[Any] = []
    for part in sort.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise SearchQueryError(f"Search Query is invalid: bad sort {part.strip()!r}")
        field = words[0]
        descending = len(words) == 2 and words[1].lower() == "desc"
        if field == "score":  # no relevance ranking: every match scores the same
            continue
        if field not in _SORTS:
            raise SearchQueryError(f"Search Query is invalid: cannot sort by {field!r}")
        clauses.append(_SORTS[field].desc() if descending else _SORTS[field].asc())
    return [*clauses, Dataset.id.asc()]


FACETS = ("organization", "groups", "tags", "res_format", "license_id", "theme", "frequency")


def _facet_fields(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise SearchQueryError("facet.field must be a JSON list of field names") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SearchQueryError("facet.field must be a JSON list of field names")
    for field in value:
        if field not in FACETS:
            raise SearchQueryError(f"cannot facet on {field!r}; facets: {', '.join(FACETS)}")
    return value


def _facet_counts(session: Session, ids: Select, field: str) -> list[tuple[str, str, int]]:
    """(name, display name, count) of one facet over the matching datasets."""
    if field == "theme":
        counter: Counter[str] = Counter()
        for themes in session.scalars(select(Dataset.themes).where(Dataset.id.in_(ids))):
            counter.update(themes or [])
        return [(code, THEMES.get(code, (code,))[0], n) for code, n in counter.items()]
    if field in ("license_id", "frequency"):
        column = Dataset.license_id if field == "license_id" else Dataset.frequency
        stmt = (
            select(column, column, func.count())
            .where(Dataset.id.in_(ids), column.is_not(None))
            .group_by(column)
        )
    elif field == "tags":
        stmt = (
            select(DatasetTag.name, DatasetTag.name, func.count())
            .where(DatasetTag.dataset_id.in_(ids))
            .group_by(DatasetTag.name)
        )
    elif field == "res_format":
        stmt = (
            select(Resource.format, Resource.format, func.count(func.distinct(Resource.dataset_id)))
            .where(Resource.dataset_id.in_(ids))
            .group_by(Resource.format)
        )
    elif field == "organization":
        stmt = (
            select(Organisation.name, Organisation.title_zh, func.count())
            .join(Dataset, Dataset.organisation_id == Organisation.id)
            .where(Dataset.id.in_(ids))
            .group_by(Organisation.name, Organisation.title_zh)
        )
    else:
        stmt = (
            select(Group.name, Group.title_zh, func.count())
            .join(DatasetGroup, DatasetGroup.group_id == Group.id)
            .where(DatasetGroup.dataset_id.in_(ids))
            .group_by(Group.name, Group.title_zh)
        )
    return [(str(a), str(b), int(n)) for a, b, n in session.execute(stmt)]


def package_search(session: Session, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    rows = as_int(data.get("rows"), "rows", default=10, maximum=MAX_ROWS)
    start = as_int(data.get("start"), "start", default=0, maximum=MAX_START)
    include_private = as_bool(data.get("include_private"), "include_private")
    facet_limit = as_int(
        data.get("facet.limit"), "facet.limit", default=50, minimum=-1, maximum=1000
    )
    facet_mincount = as_int(data.get("facet.mincount"), "facet.mincount", default=1, maximum=10**9)
    terms = [
        *parse_terms(str(data.get("q") or ""), "q"),
        *parse_terms(str(data.get("fq") or ""), "fq"),
    ]
    sort = str(data.get("sort") or DEFAULT_SORT)
    ordering = order_by(sort)
    facets = _facet_fields(data.get("facet.field"))
    where = [
        access.visible(session, principal, include_private=include_private),
        *conditions(terms),
    ]
    ids = select(Dataset.id).where(*where)
    count = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    datasets = session.scalars(
        select(Dataset).where(*where).order_by(*ordering).limit(rows).offset(start)
    ).all()
    search_facets: dict[str, Any] = {}
    plain_facets: dict[str, dict[str, int]] = {}
    for field in facets:
        items = [i for i in _facet_counts(session, ids, field) if i[2] >= facet_mincount]
        items.sort(key=lambda i: (-i[2], i[0]))
        if facet_limit >= 0:
            items = items[:facet_limit]
        search_facets[field] = {
            "title": field,
            "items": [{"name": n, "display_name": d, "count": c} for n, d, c in items],
        }
        plain_facets[field] = {n: c for n, _, c in items}
    return {
        "count": count,
        "results": package_dicts(session, datasets),
        "sort": sort,
        "facets": plain_facets,
        "search_facets": search_facets,
    }
