from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from discipline import selectors, services
from discipline.forms import VoidForm
from discipline.models import Evidence, Violation, ViolationType
from inspections.admin import VisitAdmin
from inspections.models import Visit
from inspections.selectors import visits_visible_to
from units.admin import ScopedAdmin, ScopedRelatedFilter


class DisciplineScopedAdmin(ScopedAdmin):
    def choices_for(self, model, request):
        if model is Visit:
            return visits_visible_to(request.user).select_related("unit")
        if model is Violation:
            return selectors.violations_visible_to(request.user).with_related()
        return super().choices_for(model, request)


@admin.register(ViolationType)
class ViolationTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "code", "is_active", "sort_order"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "code", "legal_basis"]
    ordering = ["sort_order", "name"]

    def has_delete_permission(self, request, obj=None):
        return False


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fk_name = "violation"
    extra = 0
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Violation)
class ViolationAdmin(DisciplineScopedAdmin):
    list_display = ["occurred_at", "staff", "unit", "type", "status", "source"]
    list_filter = [
        "status",
        "type",
        ("unit", ScopedRelatedFilter),
        "source",
        "occurred_at",
    ]
    list_select_related = ["staff", "unit", "type"]
    search_fields = ["staff__full_name", "staff__badge_number", "description"]
    add_fields = ["unit", "staff", "type", "occurred_at", "source", "visit", "description"]
    readonly_fields = [
        "unit",
        "staff",
        "type",
        "occurred_at",
        "source",
        "visit",
        "roll_entry",
        "task",
        "feedback",
        "description",
        "status",
        "recorded_by",
        "recorded_at",
        "notified_at",
        "response_due",
        "explanation",
        "corrective_action",
        "answered_at",
        "ruling_reason",
        "ruled_at",
        "closed_at",
        "void_reason",
        "voided_at",
    ]
    inlines = [EvidenceInline]
    actions = ["void_selected"]
    show_full_result_count = False

    def visible(self, request):
        return selectors.violations_visible_to(request.user)

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.readonly_fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "source":
            # Violations from overdue tasks and citizen feedback are recorded from those pages,
            # which link the source.
            linked = {Violation.Source.TASK, Violation.Source.FEEDBACK}
            kwargs["choices"] = [c for c in db_field.choices if c[0] not in linked]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        # Once recorded, a violation changes only through its services (actions and pages).
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # The change page is a read-only record; changes are actions calling services.
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        created = services.record_violation(
            staff=obj.staff,
            type=obj.type,
            occurred_at=obj.occurred_at,
            source=obj.source,
            unit=obj.unit,
            visit=obj.visit,
            description=obj.description,
            by=request.user,
        )
        obj.pk, obj.recorded_by, obj.status = created.pk, created.recorded_by, created.status
        obj._state.adding = False

    def has_void_permission(self, request) -> bool:
        return request.user.has_perm("discipline.void_violation")

    @admin.action(description=_("Void selected violations (with a reason)"), permissions=["void"])
    def void_selected(self, request, queryset):
        form = VoidForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for violation in queryset:
                try:
                    with transaction.atomic():
                        services.void_violation(
                            violation=violation, by=request.user, reason=form.cleaned_data["reason"]
                        )
                    done += 1
                except services.ViolationError as error:
                    refused.append(f"{violation}: {error}")
            if done:
                self.message_user(
                    request,
                    ngettext("%d violation voided.", "%d violations voided.", done) % done,
                    messages.SUCCESS,
                )
            for line in refused:
                self.message_user(request, line, messages.ERROR)
            return None
        return TemplateResponse(
            request,
            "admin/discipline/violation/void.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Void violations"),
                "opts": self.model._meta,
                "queryset": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Evidence)
class EvidenceAdmin(DisciplineScopedAdmin):
    list_display = [
        "original_name",
        "violation",
        "visit",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    list_select_related = ["violation__staff", "violation__type", "visit__unit", "uploaded_by"]
    readonly_fields = [
        "violation",
        "visit",
        "roll_entry",
        "download",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]
    fields = readonly_fields

    @admin.display(description=_("file"))
    def download(self, obj):
        # Files have no public URL: they are served only through the scoped download view.
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Download"))

    def visible(self, request):
        return selectors.evidence_visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VisitEvidenceInline(admin.TabularInline):
    """Evidence taken during a visit, listed with the visit; files open only through the scoped
    download view."""

    model = Evidence
    fk_name = "visit"
    extra = 0
    fields = ["download", "roll_entry", "content_type", "size", "sha256", "uploaded_by"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("roll_entry__staff", "uploaded_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The visit admin lives in inspections, which cannot know about evidence: add it here.
admin.site.unregister(Visit)


@admin.register(Visit)
class VisitWithEvidenceAdmin(VisitAdmin):
    inlines = [*VisitAdmin.inlines, VisitEvidenceInline]
