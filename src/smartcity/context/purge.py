"""Purge Entities (DELETE /entities, clause 5.6.21 of v1.9): delete every entity a query
matches, or remove attributes from each of them (`drop`), or all but some (`keep`).

The matching ids are read first, a page at a time, then each entity is changed as its own
operation, so that subscriptions see one deletion or update per entity, as with the single-entity
operations.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from smartcity.context import search, service, store
from smartcity.context.errors import ResourceNotFound
from smartcity.context.search import EntityQuery


def matching_ids(session: Session, tenant_id: int, query: EntityQuery, now: datetime) -> list[str]:
    """Every id the query matches, in the query's stable order."""
    ids: list[str] = []
    page = replace(query, limit=search.MAX_LIMIT, offset=0)
    while True:
        rows, _ = search.find_entities(session, tenant_id, page, now=now)
        ids.extend(row.entity_id for row in rows)
        if len(rows) < page.limit:
            return ids
        page = replace(page, offset=page.offset + len(rows))


def purge(
    session: Session,
    tenant_id: int,
    query: EntityQuery,
    now: datetime,
    *,
    keep: frozenset[str] | None = None,
    drop: frozenset[str] | None = None,
) -> int:
    """Apply the purge; the number of entities deleted or changed."""
    ids = matching_ids(session, tenant_id, query, now)
    session.commit()  # the read ends here; each change below is its own transaction
    changed = 0
    for entity_id in ids:
        try:
            if drop is not None:
                changed += service.drop_attributes(session, tenant_id, entity_id, set(drop), now)
            elif keep is not None:
                row = store.get_entity(session, tenant_id, entity_id)
                names = set(row.attrs) - keep
                changed += service.drop_attributes(session, tenant_id, entity_id, names, now)
            else:
                service.delete_entity(session, tenant_id, entity_id, now)
                changed += 1
        except ResourceNotFound:  # gone meanwhile (deleted by another request)
            session.rollback()
    return changed
