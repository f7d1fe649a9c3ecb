"""Reads of inspection data that depend on who is asking."""

import datetime
import random
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from inspections.models import ChecklistAnswer, Feedback, RollEntry, Visit
from units.models import Staff, Unit
from units.roles import Role
from units.selectors import (
    diary_days,
    has_role,
    sees_whole_authority,
    staff_of,
    units_visible_to,
)


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
    """One visit the user may see, with its unit, Authority and lead inspector, or 404."""
    return get_object_or_404(
        visits_visible_to(user).select_related("unit__authority", "lead_inspector__unit"), pk=pk
    )


def get_roll_entry(visit: Visit, pk) -> RollEntry:
    """One entry of this visit's roll, or 404 (an entry of another visit is not found here)."""
    return get_object_or_404(RollEntry.objects.select_related("staff"), visit=visit, pk=pk)


def get_checklist_answer(visit: Visit, pk) -> ChecklistAnswer:
    return get_object_or_404(ChecklistAnswer.objects.select_related("item"), visit=visit, pk=pk)


def roll_of(visit: Visit) -> QuerySet[RollEntry]:
    return visit.roll.select_related("staff").order_by("staff__full_name", "pk")


def checklist_of(visit: Visit) -> QuerySet[ChecklistAnswer]:
    return visit.checklist.select_related("item").order_by("item__sort_order", "item_id")


def staff_missing_from_roll(visit: Visit) -> QuerySet[Staff]:
    """Active staff of the inspected unit who are not on the roll (joined after the start)."""
    return (
        Staff.objects.active()
        .filter(unit_id=visit.unit_id)
        .exclude(roll_entries__visit=visit)
        .order_by("full_name")
    )


def team_candidates(user) -> QuerySet[Staff]:
    """Who may lead or join an inspection team: active staff of the user's own unit (Home
    Affairs) and anyone with the inspectors role, within the units the user sees."""
    condition = Q(user__groups__name=Role.INSPECTORS)
    own = staff_of(user)
    if own is not None:
        condition |= Q(unit_id=own.unit_id)
    return (
        Staff.objects.active()
        .filter(condition, unit__in=units_visible_to(user))
        .select_related("unit")
        .order_by("full_name", "pk")
        .distinct()
    )


@dataclass(frozen=True)
class Proposal:
    unit: Unit
    last_visited: datetime.date | None

    @property
    def days_since(self) -> int | None:
        if self.last_visited is None:
            return None
        return (timezone.localdate() - self.last_visited).days


def propose_unannounced_visits(
    user, *, limit: int = 10, rng: random.Random | None = None
) -> list[Proposal]:
    """Units to visit next without warning: the least recently visited first (never visited
    before all others), in random order among units last visited on the same day, so that
    nobody can predict who comes next. Units with a visit already planned or in progress and
    inactive units are left out. One query, whatever the number of units."""
    rng = rng or random.SystemRandom()
    units = (
        units_visible_to(user)
        .active()
        .annotate(
            last_visit=Max(
                "visits__started_at",
                filter=Q(visits__status=Visit.Status.FINISHED),
            ),
            open_visits=Count(
                "visits",
                filter=Q(visits__status__in=[Visit.Status.PLANNED, Visit.Status.IN_PROGRESS]),
            ),
        )
        .filter(open_visits=0)
    )
    proposals = [
        Proposal(unit, timezone.localdate(unit.last_visit) if unit.last_visit else None)
        for unit in units
    ]
    proposals.sort(key=lambda p: (p.last_visited or datetime.date.min, rng.random()))
    return proposals[:limit]


# --- citizen feedback --------------------------------------------------------------------------


def unit_for_feedback(token: str) -> Unit:
    """The active unit whose public feedback address carries `token`, or 404. Public: no user."""
    return get_object_or_404(Unit.objects.active(), feedback_token=token)


def feedback_visible_to(user) -> QuerySet[Feedback]:
    """Feedback the user may read (permission inspections.view_feedback). Authority-wide roles
    see all of their units'; a unit head sees what an inspector forwarded, and praise."""
    if not user.has_perm("inspections.view_feedback"):
        return Feedback.objects.none()
    in_scope = Feedback.objects.filter(unit__in=units_visible_to(user))
    if sees_whole_authority(user):
        return in_scope
    return in_scope.filter(
        Q(status=Feedback.Status.FORWARDED)
        | (Q(category=Feedback.Category.PRAISE) & ~Q(status=Feedback.Status.DISMISSED))
    )


def get_feedback(user, pk) -> Feedback:
    return get_object_or_404(
        feedback_visible_to(user).select_related("unit", "staff", "triaged_by"), pk=pk
    )


def _day_bounds(start: datetime.date, end: datetime.date) -> tuple:
    tz = timezone.get_current_timezone()
    begin = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    finish = datetime.datetime.combine(
        end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return begin, finish


def praise_counts(units, start: datetime.date, end: datetime.date) -> dict[int, int]:
    """Praise received by each of `units` (a queryset or iterable of units, already scoped by
    the caller) between `start` and `end` inclusive, local dates; dismissed items do not
    count. One query. Units without praise are absent from the answer (read with .get(pk, 0))."""
    begin, finish = _day_bounds(start, end)
    rows = (
        Feedback.objects.counted()
        .filter(
            unit__in=units,
            category=Feedback.Category.PRAISE,
            submitted_at__gte=begin,
            submitted_at__lt=finish,
        )
        .values_list("unit_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return dict(rows)


def feedback_counts_by_unit(user, units, start: datetime.date, end: datetime.date) -> dict:
    """Per unit, the feedback the user may see between two local dates, by category, with the
    number not yet triaged. One query: {unit_id: {"attitude": n, ..., "new": n, "total": n}}."""
    begin, finish = _day_bounds(start, end)
    aggregates = {
        category: Count("pk", filter=Q(category=category) & ~Q(status=Feedback.Status.DISMISSED))
        for category in Feedback.Category.values
    }
    rows = (
        feedback_visible_to(user)
        .filter(unit__in=units, submitted_at__gte=begin, submitted_at__lt=finish)
        .values("unit_id")
        .annotate(
            **aggregates,
            new=Count("pk", filter=Q(status=Feedback.Status.NEW)),
            total=Count("pk"),
        )
        .order_by()
    )
    return {row.pop("unit_id"): row for row in rows}


def feedback_attention(user) -> int:
    """Feedback waiting for triage that this user could triage (0 without the permission)."""
    if not user.has_perm("inspections.triage_feedback"):
        return 0
    return feedback_visible_to(user).untriaged().count()


# The work diary is written at the end of each day, so a visit looks at the working days before
# its own day (the directive: a diary "to serve monitoring and inspection").
DIARY_DAYS = 5


def diary_evidence(visit: Visit, staff_ids) -> dict[int, list[tuple[datetime.date, bool]]]:
    """For each person, the DIARY_DAYS working days before the visit's day, oldest first, each
    with whether the person wrote a diary entry for it. One query."""
    day = timezone.localdate(visit.started_at) if visit.started_at else visit.planned_date
    days = diary_days(staff_ids, day - datetime.timedelta(days=1), days=DIARY_DAYS)
    return {staff_id: sorted(written.items()) for staff_id, written in days.items()}
