"""Every state change of a Violation, Evidence or Letter. Views, admin actions and commands all
call these functions; each is atomic and validates before it saves."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discipline.models import Violation, ViolationType
from inspections.models import RollEntry, Visit
from units.models import Staff, Unit
from units.selectors import units_visible_to
from units.services import save_tracked


class ViolationError(Exception):
    """A state change the rules do not allow; the message is shown to the user."""


def _check_scope(by, unit: Unit) -> None:
    if not units_visible_to(by).filter(pk=unit.pk).exists():
        raise PermissionDenied


@transaction.atomic
def record_violation(
    *,
    staff: Staff,
    type: ViolationType,
    occurred_at: datetime.datetime,
    by,
    description: str = "",
    source: str = Violation.Source.OTHER,
    unit: Unit | None = None,
    visit: Visit | None = None,
    roll_entry: RollEntry | None = None,
) -> Violation:
    """Record a new violation against `staff` (status `recorded`).

    The unit defaults to the person's unit now; `by` must see that unit. Raises ValidationError
    for bad input (future time, staff of another unit, …) and saves nothing then.
    """
    unit = unit or staff.unit
    _check_scope(by, unit)
    violation = Violation(
        staff=staff,
        unit=unit,
        type=type,
        occurred_at=occurred_at,
        description=description,
        source=source,
        visit=visit,
        roll_entry=roll_entry,
        recorded_by=by,
    )
    return save_tracked(violation, by=by, reason="recorded")


@transaction.atomic
def void_violation(*, violation: Violation, by, reason: str) -> Violation:
    """Void a violation that is not closed, keeping it with the reason. Raise ViolationError
    when it is already closed or voided, or the reason is empty."""
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    _check_scope(by, violation.unit)
    if violation.status in (Violation.Status.CLOSED, Violation.Status.VOIDED):
        raise ViolationError(_("A closed or voided violation cannot be voided."))
    reason = (reason or "").strip()
    if not reason:
        raise ViolationError(_("Give a reason for voiding the violation."))
    violation.status = Violation.Status.VOIDED
    violation.void_reason = reason
    violation.voided_at = timezone.now()
    return save_tracked(
        violation, by=by, reason="voided", update_fields=["status", "void_reason", "voided_at"]
    )
