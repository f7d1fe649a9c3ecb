"""Django's ModelBackend with the reads every page makes folded into two queries.

Every logged-in page needs the login, its Staff record (scope, the name in the header), its
roles (scope, the second factor) and its permissions (the menu, the view's check). Django reads
them in five queries (user; staff; groups; the user's and the groups' permissions); this backend
reads the login with its Staff record, unit and Authority in one, and the roles with every
permission they grant (and the login's own permissions) in another. What is allowed is exactly
what ModelBackend allows: the same rows, cached on the user object for the request as Django
caches them."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router

from units.roles import Role

_ROLES = frozenset(Role.values)


def _access_sql() -> str:
    user_model = get_user_model()
    groups = user_model.groups.through._meta.db_table
    user_perms = user_model.user_permissions.through._meta.db_table
    group_perms = Group.permissions.through._meta.db_table
    perm, group = Permission._meta.db_table, Group._meta.db_table
    ctype = ContentType._meta.db_table
    return (
        # Each role with each permission it grants (a role without any: one row of NULLs).
        f"SELECT g.name, ct.app_label, p.codename FROM {groups} ug "
        f"JOIN {group} g ON g.id = ug.group_id "
        f"LEFT JOIN {group_perms} gp ON gp.group_id = g.id "
        f"LEFT JOIN {perm} p ON p.id = gp.permission_id "
        f"LEFT JOIN {ctype} ct ON ct.id = p.content_type_id "
        "WHERE ug.user_id = %s "
        "UNION ALL "
        # The login's own permissions, with no group.
        f"SELECT NULL, ct.app_label, p.codename FROM {user_perms} up "
        f"JOIN {perm} p ON p.id = up.permission_id "
        f"JOIN {ctype} ct ON ct.id = p.content_type_id "
        "WHERE up.user_id = %s"
    )


def load_access(user) -> None:
    """Read `user`'s roles and permissions in one query and cache them on the object: the roles
    for units.selectors.roles_of, the permissions where ModelBackend keeps them (a superuser's
    permissions stay ModelBackend's business: all of them)."""
    groups_through = get_user_model().groups.through
    connection = connections[router.db_for_read(groups_through)]
    with connection.cursor() as cursor:
        cursor.execute(_access_sql(), [user.pk, user.pk])
        rows = cursor.fetchall()
    user._kc_roles = frozenset(name for name, _app, _code in rows if name in _ROLES)
    if user.is_superuser:
        return
    if not hasattr(user, "_group_perm_cache"):
        user._group_perm_cache = {
            f"{app}.{code}" for name, app, code in rows if name is not None and code is not None
        }
    if not hasattr(user, "_user_perm_cache"):
        user._user_perm_cache = {f"{app}.{code}" for name, app, code in rows if name is None}


class ScopedModelBackend(ModelBackend):
    """ModelBackend, reading the login with its Staff record, and the roles with their
    permissions, each in one query (see the module's docstring)."""

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related(
                "staff__unit", "staff__authority"
            ).get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        # units.selectors.staff_of's per-request cache: the active Staff record, or None.
        staff = getattr(user, "staff", None)
        user._kc_staff = staff if staff is not None and staff.is_active else None
        return user

    def _get_permissions(self, user_obj, obj, from_name):
        if (
            user_obj.is_active
            and not user_obj.is_anonymous
            and not user_obj.is_superuser
            and obj is None
            and not hasattr(user_obj, f"_{from_name}_perm_cache")
        ):
            load_access(user_obj)
        return super()._get_permissions(user_obj, obj, from_name)
