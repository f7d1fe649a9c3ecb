"""Reads that depend on who is asking. units_visible_to() is the one place that decides rows;
every other selector in the project is built on it (DESIGN.md §4)."""

import datetime
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from units.calendar import working_days_back
from units.models import Authority, DiaryEntry, Staff, Task, Unit
from units.roles import AUTHORITY_WIDE_ROLES, Role

_MISSING = object()


def staff_of(user) -> Staff | None:
    """The active Staff record linked to this login, cached on the user for the request (the
    request's user arrives with it: units.backends.ScopedModelBackend.get_user)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_kc_staff", _MISSING)
    if cached is _MISSING:
        cached = (
            Staff.objects.select_related("unit", "authority")
            .filter(user_id=user.pk, is_active=True)
            .first()
        )
        user._kc_staff = cached
    return cached


def roles_of(user) -> frozenset[str]:
    """The user's role names (Django group names), cached on the user for the request. They are
    read with the user's permissions, in one query (units.backends.load_access)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if getattr(user, "_kc_roles", None) is None:
        from units.backends import load_access

        load_access(user)
    return user._kc_roles


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def authority_of(user) -> Authority | None:
    staff = staff_of(user)
    return staff.authority if staff else None


def sees_whole_authority(user) -> bool:
    """True for inspectors, office chief, leaders and administrators (and a superuser)."""
    return bool(user.is_superuser or roles_of(user) & AUTHORITY_WIDE_ROLES)


def units_visible_to(user) -> QuerySet[Unit]:
    """Units whose rows this user may see.

    Authority-wide roles see every unit of their Authority; a unit head sees their own unit and
    its children; anyone else sees no unit (a plain staff member sees only their own record,
    through the per-model selectors). A superuser with no Staff record is the installation's
    keeper and sees every Authority; with a Staff record, a superuser is scoped like anyone.
    """
    staff = staff_of(user)
    if staff is None:
        if getattr(user, "is_superuser", False) and user.is_active:
            return Unit.objects.all()
        return Unit.objects.none()
    if sees_whole_authority(user):
        return Unit.objects.filter(authority_id=staff.authority_id)
    if Role.UNIT_HEADS in roles_of(user):
        return Unit.objects.filter(Q(pk=staff.unit_id) | Q(parent_id=staff.unit_id))
    return Unit.objects.none()


def authorities_visible_to(user) -> QuerySet[Authority]:
    staff = staff_of(user)
    if staff is None:
        if getattr(user, "is_superuser", False) and user.is_active:
            return Authority.objects.all()
        return Authority.objects.none()
    return Authority.objects.filter(pk=staff.authority_id)


def staff_visible_to(user) -> QuerySet[Staff]:
    """Staff of the units this user sees, plus the user's own record."""
    own = staff_of(user)
    condition = Q(unit__in=units_visible_to(user))
    if own is not None:
        condition |= Q(pk=own.pk)
    return Staff.objects.filter(condition)


def as_pk(value) -> int | None:
    """`value` as a primary key, or None when it cannot be one: not plain ASCII digits ("¹" and
    "٣" pass str.isdigit() but not int()), zero, or beyond a 64-bit integer (the database would
    raise rather than find nothing)."""
    text = str(value if value is not None else "")
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    pk = int(text)
    return pk if 0 < pk < 2**63 else None


def get_unit(user, pk) -> Unit:
    """One unit the user may see, or 404 (also for a pk that is not a number)."""
    if as_pk(pk) is None:
        raise Http404
    return get_object_or_404(units_visible_to(user), pk=pk)


def get_staff(user, pk) -> Staff:
    """One staff member the user may see, or 404."""
    return get_object_or_404(staff_visible_to(user).select_related("unit"), pk=pk)


def notifications_of(user):
    """A user's own notifications, newest first. Nobody reads anyone else's."""
    from units.models import Notification

    return Notification.objects.filter(user_id=user.pk)


def unit_head_users(unit: Unit):
    """Active logins that answer for `unit`: its head, and members of the unit_heads group
    whose staff record is in the unit."""
    from django.contrib.auth.models import User

    condition = Q(staff__unit=unit, staff__is_active=True, groups__name=Role.UNIT_HEADS)
    if unit.head_id:
        condition |= Q(staff__pk=unit.head_id)
    return User.objects.filter(condition, is_active=True).distinct()


# --- tasks -------------------------------------------------------------------------------------


def units_managed_by(user) -> QuerySet[Unit]:
    """Units in which this user assigns and reviews tasks: a unit head's units (permission
    units.add_task, rows from units_visible_to), or a delegated deputy's own unit
    (Staff.assigns_tasks)."""
    condition = Q(pk__in=[])
    if user.has_perm("units.add_task"):
        condition |= Q(pk__in=units_visible_to(user).values("pk"))
    own = staff_of(user)
    if own is not None and own.assigns_tasks:
        condition |= Q(pk=own.unit_id)
    return Unit.objects.filter(condition)


def manages_tasks_of(user, unit: Unit) -> bool:
    return units_managed_by(user).filter(pk=unit.pk).exists()


def tasks_visible_to(user) -> QuerySet[Task]:
    """Tasks the user may read: their own; their units' (permission units.view_task, rows from
    units_visible_to); a deputy's own unit."""
    condition = Q(pk__in=[])
    own = staff_of(user)
    if own is not None:
        condition |= Q(assignee_id=own.pk)
        if own.assigns_tasks:
            condition |= Q(unit_id=own.unit_id)
    if user.has_perm("units.view_task"):
        condition |= Q(unit__in=units_visible_to(user))
    return Task.objects.filter(condition)


def unit_tasks_visible_to(user) -> QuerySet[Task]:
    """Tasks of the units the user oversees (not merely their own tasks)."""
    condition = Q(pk__in=[])
    own = staff_of(user)
    if own is not None and own.assigns_tasks:
        condition |= Q(unit_id=own.unit_id)
    if user.has_perm("units.view_task"):
        condition |= Q(unit__in=units_visible_to(user))
    return Task.objects.filter(condition)


def oversees_tasks(user) -> bool:
    """May open the unit and overdue task lists."""
    own = staff_of(user)
    return user.has_perm("units.view_task") or bool(own and own.assigns_tasks)


def get_task(user, pk) -> Task:
    """One task the user may see, with its people and unit, or 404."""
    return get_object_or_404(tasks_visible_to(user).with_related(), pk=pk)


def task_counts(user) -> dict[str, int]:
    """For the home page, in one query: the user's own open and overdue tasks, and in the units
    they oversee the tasks awaiting review and the overdue ones."""
    today = timezone.localdate()
    own = staff_of(user)
    mine = Q(assignee_id=own.pk) if own is not None else Q(pk__in=[])
    overseen = Q(pk__in=[])
    if own is not None and own.assigns_tasks:
        overseen |= Q(unit_id=own.unit_id)
    if user.has_perm("units.view_task"):
        overseen |= Q(unit__in=units_visible_to(user))
    pending = Q(status__in=Task.PENDING_STATUSES)
    overdue = pending & Q(due_date__lt=today)
    return tasks_visible_to(user).aggregate(
        mine_open=Count("pk", filter=mine & pending),
        mine_overdue=Count("pk", filter=mine & overdue),
        to_review=Count("pk", filter=overseen & Q(status=Task.Status.SUBMITTED)),
        overdue=Count("pk", filter=overseen & overdue),
    )


# --- work diaries ------------------------------------------------------------------------------


def diary_entries_visible_to(user) -> QuerySet[DiaryEntry]:
    """The user's own diary, and the diaries of the units they see if they may read diaries
    (permission units.view_diaryentry: unit heads their units, inspectors their Authority)."""
    condition = Q(pk__in=[])
    own = staff_of(user)
    if own is not None:
        condition |= Q(staff_id=own.pk)
    if user.has_perm("units.view_diaryentry"):
        condition |= Q(staff__unit__in=units_visible_to(user))
    return DiaryEntry.objects.filter(condition)


def get_own_diary_entry(user, pk) -> DiaryEntry:
    """One entry of the user's own diary, or 404: nobody edits or corrects another's diary."""
    own = staff_of(user)
    return get_object_or_404(DiaryEntry.objects.filter(staff_id=own.pk if own else None), pk=pk)


def diary_days(
    staff_ids: Iterable[int], end_date: datetime.date, days: int = 5
) -> dict[int, dict[datetime.date, bool]]:
    """For each staff id, which of the last `days` working days up to `end_date` (included if
    it is a working day; see units.calendar.working_days_back) have at least one diary entry.

    One query whatever the number of people (none for an empty list). Every id asked for is in
    the answer, its days newest first: {staff_id: {date: has_entry, ...}, ...}. Entries on
    weekends do not count; a correction carries the day of the entry it corrects."""
    ids = list(dict.fromkeys(staff_ids))
    window = working_days_back(end_date, days)
    result = {staff_id: dict.fromkeys(window, False) for staff_id in ids}
    if not ids or not window:
        return result
    written = (
        DiaryEntry.objects.filter(staff_id__in=ids, day__in=window)
        .values_list("staff_id", "day")
        .distinct()
        .order_by()
    )
    for staff_id, day in written:
        result[staff_id][day] = True
    return result


def role_users(authority: Authority, role: str):
    """Active logins of one Authority holding `role` (e.g. its inspectors, told of disputes)."""
    from django.contrib.auth.models import User

    return User.objects.filter(
        groups__name=role,
        staff__authority=authority,
        staff__is_active=True,
        is_active=True,
    ).distinct()
