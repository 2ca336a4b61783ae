"""The transition forms of a case page: which transitions this viewer may take (the workflow
table, narrowed as the API narrows `actions`), the fields each requires, and a submitted form
turned into the transition's data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smartcity.cases.models import Case
from smartcity.cases.requirements import Requirement
from smartcity.cases.states import Action, CaseStatus, label
from smartcity.cases.views import next_actions
from smartcity.cases.workflow import TRANSITIONS, Actor, allowed

# The order fields appear in a form (a rating first, a reason before an approval …).
FIELD_ORDER = ("category", "department", "into", "reason", "approved_by", "evidence", "rating")
# Transitions whose button stands out (the way forward), the rest are plain.
FORWARD = frozenset(
    {Action.REGISTER, Action.DISPATCH, Action.ACCEPT, Action.HANDLE, Action.VERIFY, Action.RESUME}
)


@dataclass(frozen=True)
class TransitionForm:
    action: str
    label: str
    fields: tuple[str, ...]
    forward: bool


def forms_for(case: Case, actor: Actor, lang: str) -> list[TransitionForm]:
    """One form per transition the viewer may take now, in the table's order."""
    permitted = set(next_actions(case, actor))
    forms = []
    for rule in allowed(CaseStatus(case.status), actor.role):
        if rule.action.value not in permitted:
            continue
        needs = {r.value for r in rule.requires}
        fields = tuple(f for f in FIELD_ORDER if f in needs)
        forward = rule.action in FORWARD
        forms.append(TransitionForm(rule.action.value, label(rule.action, lang), fields, forward))
    return forms


def transition_data(action: str, form: Mapping[str, Any]) -> dict[str, Any]:
    """The data of a submitted transition form: the fields its transition requires (empty ones
    left out, so the workflow names what is missing) and an optional note."""
    rule_fields = {
        r.value for rule in TRANSITIONS if rule.action.value == action for r in rule.requires
    }
    data: dict[str, Any] = {}
    for name in rule_fields:
        if name == Requirement.EVIDENCE.value:
            items = list(form.get("evidence_photo", []))
            items += [line.strip() for line in str(form.get("evidence", "")).splitlines()]
            items = [item for item in items if item]
            if items:
                data["evidence"] = items
        elif name == Requirement.RATING.value:
            raw = str(form.get("rating", "")).strip()
            if raw:
                data["rating"] = int(raw) if raw.isdigit() else raw
        else:
            value = str(form.get(name, "")).strip()
            if value:
                data[name] = value
    note = str(form.get("note", "")).strip()
    if note:
        data["note"] = note
    return data
