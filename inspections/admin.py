from django.contrib import admin, messages

from inspections import services
from inspections.models import ChecklistAnswer, ChecklistItem, Feedback, RollEntry, Visit
from inspections.selectors import feedback_visible_to, visits_visible_to
from units.admin import ScopedAdmin, ScopedRelatedFilter, SharedCatalogueAdmin


class ReadOnlyInline(admin.TabularInline):
    """Rows that change only through the visit's pages (services), shown with their visit."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RollEntryInline(ReadOnlyInline):
    model = RollEntry
    fields = [
        "staff",
        "presence",
        "arrived_at",
        "badge_worn",
        "dress_proper",
        "alcohol_suspected",
        "note",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("staff")


class ChecklistAnswerInline(ReadOnlyInline):
    model = ChecklistAnswer
    fields = ["item", "answer", "note"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item")


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
    inlines = [RollEntryInline, ChecklistAnswerInline]
    readonly_fields = [
        "status",
        "started_at",
        "finished_at",
        "unit_representative",
        "cancel_reason",
        "created_by",
    ]
    fields = ["unit", "kind", "planned_date", "lead_inspector", "team", "summary", *readonly_fields]
    filter_horizontal = []

    def visible(self, request):
        return visits_visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        # A finished or cancelled visit is frozen: its page is a read-only record.
        if obj is not None and not obj.is_open:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["unit", *self.readonly_fields]  # the unit's roll may exist already
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        team = form.cleaned_data.get("team", [])
        if change:
            try:
                services.change_visit_plan(
                    visit=obj,
                    kind=obj.kind,
                    planned_date=obj.planned_date,
                    lead_inspector=obj.lead_inspector,
                    team=team,
                    summary=obj.summary,
                    by=request.user,
                )
            except services.VisitError as error:
                # Only when the visit was finished or cancelled while the form was open.
                self.message_user(request, str(error), messages.ERROR)
            return
        created = services.plan_visit(
            unit=obj.unit,
            kind=obj.kind,
            planned_date=obj.planned_date,
            lead_inspector=obj.lead_inspector,
            team=team,
            summary=obj.summary,
            by=request.user,
        )
        obj.pk, obj.created_by = created.pk, created.created_by
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # The services set the team (no form.save_m2m()); the inlines are read-only and save
        # nothing, but the admin's change message reads their results.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(SharedCatalogueAdmin):
    list_display = ["text", "code", "is_active", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["text", "code", "basis"]
    ordering = ["sort_order", "pk"]

    def get_readonly_fields(self, request, obj=None):
        # Other features find items by code: once created, it stays.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False


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
