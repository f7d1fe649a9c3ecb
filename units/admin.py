from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from units import services
from units.models import Authority, DiaryEntry, Staff, Task, Unit
from units.paginators import EstimatedCountPaginator
from units.roles import Role
from units.selectors import (
    as_pk,
    authorities_visible_to,
    authority_of,
    diary_entries_visible_to,
    staff_visible_to,
    tasks_visible_to,
    units_visible_to,
)


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A related-field filter that lists only the rows the user may see."""

    def field_choices(self, field, request, model_admin):
        queryset = model_admin.choices_for(field.related_model, request)
        if queryset is None:
            return super().field_choices(field, request, model_admin)
        return [(obj.pk, str(obj)) for obj in queryset]


class ScopedAdmin(SimpleHistoryAdmin):
    """Base for every ModelAdmin: rows, foreign-key choices and filters come from the
    selectors, out-of-scope objects answer 404, nothing is deleted, history is read-only.
    Big tables count their rows from the planner's estimate and fetch deep pages by id."""

    paginator = EstimatedCountPaginator

    def visible(self, request):
        """The selector for this model; subclasses return a queryset scoped to request.user."""
        raise NotImplementedError

    def get_queryset(self, request):
        queryset = self.visible(request)
        if self.list_select_related and isinstance(self.list_select_related, list | tuple):
            queryset = queryset.select_related(*self.list_select_related)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def choices_for(self, model, request):
        """Rows of `model` this user may pick in a form or filter (None: not scoped here)."""
        user = request.user
        if model is Unit:
            return units_visible_to(user).order_by("name")
        if model is Staff:
            return Staff.objects.filter(unit__in=units_visible_to(user)).order_by("full_name")
        if model is Authority:
            return authorities_visible_to(user)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = self.choices_for(db_field.related_model, request)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        queryset = self.choices_for(db_field.related_model, request)
        if queryset is not None:
            kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def response_action(self, request, queryset, **kwargs):
        # Ticked rows are ids; anything else (text, a number beyond the database's integers)
        # names no row and would only make the database raise.
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        valid = [pk for pk in selected if as_pk(pk) is not None]
        if valid != selected:
            request.POST = request.POST.copy()
            request.POST.setlist(ACTION_CHECKBOX_NAME, valid)
        return super().response_action(request, queryset, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # The admin would redirect with "does not exist"; outside the scope it is a 404.
            raise Http404
        return obj

    def has_delete_permission(self, request, obj=None):
        return False

    def tracked(self) -> bool:
        """Whether django-simple-history keeps this model's changes (not every scoped model
        has a history: an Authority or a register, for example)."""
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def get_urls(self):
        if not self.tracked():
            # simple-history's version pages would fail on a model it does not track.
            return admin.ModelAdmin.get_urls(self)
        return super().get_urls()

    def history_view(self, request, object_id, extra_context=None):
        get_object_or_404(self.get_queryset(request), pk=unquote(object_id))
        if not self.tracked():
            # The admin's own log of changes made through it.
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting to an old version would bypass the services' rules: history is read-only.
        # A row outside the user's scope is a 404 whatever the method, as everywhere.
        get_object_or_404(self.get_queryset(request), pk=unquote(object_id))
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class SharedCatalogueAdmin(admin.ModelAdmin):
    """Catalogues that every Authority of the installation shares (violation types, checklist
    items, escalation rules): a change rewrites every Authority's letters and checks. With one
    Authority, the roles holding the permission keep them; once the installation serves several,
    only its keeper (a superuser) changes them, so that no Authority's staff rewrite another's.
    Nothing in them is deleted."""

    def may_change_shared(self, request) -> bool:
        if request.user.is_superuser:
            return True
        cached = getattr(request, "_kc_single_authority", None)
        if cached is None:
            cached = request._kc_single_authority = Authority.objects.count() <= 1
        return cached

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.may_change_shared(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_change_shared(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Authority)
class AuthorityAdmin(ScopedAdmin):
    list_display = ["name", "abbreviation", "place_name"]
    fieldsets = [
        (None, {"fields": ["name", "abbreviation", "place_name", "chairman_title"]}),
        (_("Letter header"), {"fields": ["parent_body", "issuing_body"]}),
        (
            _("Working hours"),
            {
                "fields": [
                    "morning_start",
                    "morning_end",
                    "afternoon_start",
                    "afternoon_end",
                    "grace_minutes",
                    "response_working_days",
                ]
            },
        ),
    ]

    def visible(self, request):
        return authorities_visible_to(request.user)

    def has_add_permission(self, request):
        # A new Authority is a new installation's worth of data: only the keeper adds one.
        return request.user.is_superuser


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    list_display = ["name", "code", "kind", "parent", "head", "is_active"]
    list_filter = ["kind", "is_active", ("parent", ScopedRelatedFilter)]
    list_select_related = ["parent", "head"]
    search_fields = ["name", "code"]
    fields = ["authority", "name", "code", "kind", "parent", "head", "is_active"]

    def visible(self, request):
        return units_visible_to(request.user)

    def save_model(self, request, obj, form, change):
        services.save_unit(unit=obj, by=request.user)


@admin.register(Staff)
class StaffAdmin(ScopedAdmin):
    list_display = [
        "full_name",
        "unit",
        "position",
        "category",
        "badge_number",
        "is_active",
        "user",
    ]
    list_filter = [("unit", ScopedRelatedFilter), "category", "is_active"]
    list_select_related = ["unit", "user"]
    search_fields = ["full_name", "badge_number", "position"]
    fields = [
        "full_name",
        "unit",
        "position",
        "category",
        "badge_number",
        "is_active",
        "user",
        "assigns_tasks",
    ]
    autocomplete_fields = []

    def visible(self, request):
        return staff_visible_to(request.user)

    def choices_for(self, model, request):
        if model is User:
            return scoped_users(request)
        return super().choices_for(model, request)

    def save_model(self, request, obj, form, change):
        services.save_staff(staff=obj, by=request.user)


class ReadOnlyScopedAdmin(ScopedAdmin):
    """Rows that change only through their services and pages: the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(ReadOnlyScopedAdmin):
    list_display = ["title", "assignee", "unit", "due_date", "status", "assigned_at"]
    list_filter = ["status", ("unit", ScopedRelatedFilter), "due_date"]
    list_select_related = ["assignee", "unit"]
    search_fields = ["title", "assignee__full_name"]
    fields = [
        "title",
        "unit",
        "assignee",
        "assigned_by",
        "assigned_at",
        "description",
        "expected_result",
        "due_date",
        "status",
        "started_at",
        "progress_note",
        "submitted_at",
        "completion_note",
        "reviewed_at",
        "review_note",
    ]
    readonly_fields = fields

    def visible(self, request):
        return tasks_visible_to(request.user)


@admin.register(DiaryEntry)
class DiaryEntryAdmin(ReadOnlyScopedAdmin):
    list_display = ["day", "staff", "short_text", "task", "corrects", "created_at"]
    list_filter = ["day"]
    list_select_related = ["staff", "task", "corrects__staff"]
    search_fields = ["staff__full_name", "text"]
    fields = ["staff", "day", "text", "task", "corrects", "created_by", "created_at", "edited_at"]
    readonly_fields = fields

    @admin.display(description=_("work done"))
    def short_text(self, obj):
        return obj.text[:80]

    def visible(self, request):
        return diary_entries_visible_to(request.user)


def scoped_users(request):
    """Logins an administrator may manage: those linked to staff of their Authority, and
    logins not yet linked to anyone. Superusers are managed only by superusers."""
    user = request.user
    if user.is_superuser and authority_of(user) is None:
        return User.objects.all()
    authority = authority_of(user)
    queryset = User.objects.filter(Q(staff__authority=authority) | Q(staff__isnull=True))
    if not user.is_superuser:
        queryset = queryset.filter(is_superuser=False)
    return queryset


class ScopedUserAdmin(UserAdmin):
    """The user admin, narrowed to the administrator's Authority; roles are the five groups."""

    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "groups"]

    def get_queryset(self, request):
        return scoped_users(request).prefetch_related("groups")

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return ["is_superuser", "user_permissions", "last_login", "date_joined"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=Role.values)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: records keep pointing at who did what.
        return False


admin.site.unregister(User)
admin.site.register(User, ScopedUserAdmin)
admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(admin.ModelAdmin):
    """Roles' permissions come from data migrations; only the keeper may look at them here."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


def scoped_view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" link, which Django answers for any row of any model: here a
    row the user may not see in the admin answers 404, like everywhere else."""
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model_admin = admin.site._registry.get(content_type.model_class())
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        raise Http404
    get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    return shortcut(request, content_type_id, object_id)
