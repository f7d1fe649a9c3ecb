from django.contrib import admin

from inspections import services
from inspections.models import Feedback, RollEntry, Visit
from inspections.selectors import feedback_visible_to, visits_visible_to
from units.admin import ScopedAdmin, ScopedRelatedFilter
from units.services import save_tracked


class RollEntryInline(admin.TabularInline):
    model = RollEntry
    extra = 0
    fields = [
        "staff",
        "presence",
        "arrived_at",
        "badge_worn",
        "dress_proper",
        "alcohol_suspected",
        "note",
    ]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("staff")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(ScopedAdmin):
    list_display = [
        "planned_date",
        "unit",
        "kind",
        "status",
        "lead_inspector",
        "started_at",
        "finished_at",
    ]
    list_filter = [("unit", ScopedRelatedFilter), "kind", "status", "planned_date"]
    list_select_related = ["unit", "lead_inspector"]
    search_fields = ["unit__name", "summary", "lead_inspector__full_name"]
    inlines = [RollEntryInline]
    readonly_fields = ["status", "started_at", "finished_at", "cancel_reason", "created_by"]
    fields = ["unit", "kind", "planned_date", "lead_inspector", "team", "summary", *readonly_fields]
    filter_horizontal = []

    def visible(self, request):
        return visits_visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status in (Visit.Status.FINISHED, Visit.Status.CANCELLED):
            return self.fields  # a finished or cancelled visit is frozen
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            save_tracked(obj, by=request.user, reason="edited")
        else:
            created = services.plan_visit(
                unit=obj.unit,
                kind=obj.kind,
                planned_date=obj.planned_date,
                lead_inspector=obj.lead_inspector,
                team=form.cleaned_data.get("team", []),
                summary=obj.summary,
                by=request.user,
            )
            obj.pk, obj.created_by = created.pk, created.created_by
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # plan_visit already set the team of a new visit.
        if change:
            super().save_related(request, form, formsets, change)


@admin.register(Feedback)
class FeedbackAdmin(ScopedAdmin):
    """Citizen feedback, read-only: triage happens on the feedback pages, through services."""

    list_display = ["submitted_at", "unit", "category", "staff", "status"]
    list_filter = ["status", "category", ("unit", ScopedRelatedFilter), "submitted_at"]
    list_select_related = ["unit", "staff"]
    search_fields = ["text", "staff__full_name", "unit__name"]
    fields = [
        "submitted_at",
        "unit",
        "staff",
        "category",
        "text",
        "contact",
        "status",
        "triaged_by",
        "triaged_at",
        "triage_note",
    ]
    readonly_fields = fields

    def visible(self, request):
        return feedback_visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
