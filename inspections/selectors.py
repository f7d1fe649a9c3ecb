"""Reads of inspection data that depend on who is asking."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from inspections.models import Visit
from units.roles import Role
from units.selectors import has_role, units_visible_to


def visits_visible_to(user) -> QuerySet[Visit]:
    """Visits are inspectors' working papers: authority-wide roles other than unit heads see
    them; a unit head sees the findings as violations, not the visit itself."""
    if not (
        user.is_superuser
        or has_role(user, Role.INSPECTORS, Role.OFFICE_CHIEF, Role.LEADERS, Role.ADMINISTRATORS)
    ):
        return Visit.objects.none()
    return Visit.objects.filter(unit__in=units_visible_to(user))


def get_visit(user, pk) -> Visit:
    return get_object_or_404(
        visits_visible_to(user).select_related("unit", "lead_inspector"), pk=pk
    )
