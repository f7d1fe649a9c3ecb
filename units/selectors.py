"""Reads that depend on who is asking. units_visible_to() is the one place that decides rows;
every other selector in the project is built on it (DESIGN.md §4)."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from units.models import Authority, Staff, Unit
from units.roles import AUTHORITY_WIDE_ROLES, Role

_MISSING = object()


def staff_of(user) -> Staff | None:
    """The active Staff record linked to this login, cached on the user for the request."""
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
    """The user's role names (Django group names), cached on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_kc_roles", None)
    if cached is None:
        valid = set(Role.values)
        cached = frozenset(n for n in user.groups.values_list("name", flat=True) if n in valid)
        user._kc_roles = cached
    return cached


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


def get_unit(user, pk) -> Unit:
    """One unit the user may see, or 404."""
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


def role_users(authority: Authority, role: str):
    """Active logins of one Authority holding `role` (e.g. its inspectors, told of disputes)."""
    from django.contrib.auth.models import User

    return User.objects.filter(
        groups__name=role,
        staff__authority=authority,
        staff__is_active=True,
        is_active=True,
    ).distinct()
