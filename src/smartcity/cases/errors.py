"""The case domain's errors, each a platform error so every API maps it to a clear 4xx."""

from __future__ import annotations

from smartcity.core.errors import Conflict, Forbidden, ValidationFailed


class RoleNotAllowed(Forbidden):
    """The actor's role does not own this transition."""

    code = "role_not_allowed"


class OutsideDepartment(Forbidden):
    """A department handler acting on a case assigned to another department."""

    code = "outside_department"


class TransitionNotAllowed(Conflict):
    """The transition does not leave from the case's current state."""

    code = "transition_not_allowed"


class OutOfOrder(Conflict):
    """A transition timestamped before the case's last change."""

    code = "out_of_order"


class InvalidTransitionData(ValidationFailed):
    """Data a transition requires is missing, or data it was given is malformed or unknown."""


class InvalidCategory(ValidationFailed):
    """A category set (or an admin's edit of it) that breaks the rules."""
