"""State changes of inspection visits."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.models import Visit
from units.models import Staff, Unit
from units.selectors import units_visible_to
from units.services import save_tracked


class VisitError(Exception):
    """A visit state change the rules do not allow; the message is shown to the user."""


@transaction.atomic
def plan_visit(
    *,
    unit: Unit,
    kind: str,
    planned_date: datetime.date,
    lead_inspector: Staff,
    by,
    team: Iterable[Staff] = (),
    summary: str = "",
) -> Visit:
    """Plan a visit of `unit`. The lead inspector and team must belong to the unit's Authority."""
    if not units_visible_to(by).filter(pk=unit.pk).exists():
        raise PermissionDenied
    team = list(team)
    for member in [lead_inspector, *team]:
        if member.authority_id != unit.authority_id:
            raise ValidationError(
                {"team": _("%(name)s does not work for this authority.") % {"name": member}}
            )
    visit = Visit(
        unit=unit,
        kind=kind,
        planned_date=planned_date,
        lead_inspector=lead_inspector,
        summary=summary,
        created_by=by,
    )
    save_tracked(visit, by=by, reason="planned")
    if team:
        visit.team.set(team)
    return visit
