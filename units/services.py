"""State changes of the organisation. Every write in the project saves through save_tracked()
so that the history records who changed what and why, whether the change came from a page,
the admin or a command."""

from collections.abc import Iterable

from django.db import models, transaction

from units.models import Staff, Unit


def save_tracked(
    obj: models.Model,
    *,
    by,
    reason: str,
    update_fields: Iterable[str] | None = None,
    validate: bool = True,
) -> models.Model:
    """full_clean() then save(), recording `by` and `reason` in the object's history (if any)."""
    if validate:
        exclude = None
        if update_fields is not None:
            exclude = {f.name for f in obj._meta.concrete_fields} - set(update_fields)
        obj.full_clean(exclude=exclude)
    obj._history_user = by
    obj._change_reason = reason
    obj.save(update_fields=list(update_fields) if update_fields is not None else None)
    return obj


@transaction.atomic
def save_staff(*, staff: Staff, by) -> Staff:
    """Create or update a staff member; the authority always follows the unit."""
    staff.authority_id = staff.unit.authority_id
    return save_tracked(staff, by=by, reason="saved")


@transaction.atomic
def save_unit(*, unit: Unit, by) -> Unit:
    """Create or update a unit."""
    return save_tracked(unit, by=by, reason="saved")
