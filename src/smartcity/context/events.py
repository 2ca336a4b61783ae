"""Entity changes, announced inside the writing transaction so that listeners (subscriptions) can
record what they owe in the same commit: a change is never lost between the write and its
notification, and a rolled-back write notifies nobody.

Documents are in the stored form (see jsonld/__init__.py): expanded names, normalized attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

ChangeKind = Literal["created", "updated", "deleted"]


@dataclass(frozen=True)
class EntityChange:
    """One entity written by one operation: its document before and after (None when absent)."""

    tenant_id: int
    entity_id: str
    kind: ChangeKind
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    # Stored names of the attributes this operation wrote or deleted.
    attributes: frozenset[str] = field(default_factory=frozenset)
    at: datetime | None = None


Listener = Callable[[Session, Sequence[EntityChange]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> Listener:
    """Register `listener(session, changes)`; it runs before the writer commits. Idempotent."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def unlisten(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def emit(session: Session, changes: Sequence[EntityChange]) -> None:
    """Tell every listener about `changes` (no-op without listeners or changes)."""
    if not changes:
        return
    for listener in tuple(_listeners):
        listener(session, changes)
