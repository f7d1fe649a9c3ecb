from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from discipline import selectors, services
from discipline.forms import DraftLetterForm, VoidForm
from discipline.models import (
    EscalationRule,
    Evidence,
    Letter,
    LetterReport,
    Register,
    ReportAttachment,
    Violation,
    ViolationType,
)
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
    actions = ["void_selected", "draft_letter_selected"]
    show_full_result_count = False

    def visible(self, request):
        return selectors.violations_visible_to(request.user)

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.readonly_fields

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

    def has_draft_letter_permission(self, request) -> bool:
        return request.user.has_perm("discipline.add_letter")

    @admin.action(
        description=_("Draft a letter from selected violations"), permissions=["draft_letter"]
    )
    def draft_letter_selected(self, request, queryset):
        form = DraftLetterForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                letter = services.draft_letter(
                    kind=form.cleaned_data["kind"], violations=list(queryset), by=request.user
                )
            except services.LetterError as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            self.message_user(request, _("Draft letter created; check and edit it before issuing."))
            return redirect("discipline:letter_edit", pk=letter.pk)
        return TemplateResponse(
            request,
            "admin/discipline/violation/draft_letter.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Draft a letter"),
                "opts": self.model._meta,
                "queryset": queryset.select_related("staff", "type", "unit"),
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


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    """The rules that propose letters. Switched off rather than deleted."""

    list_display = [
        "name",
        "scope",
        "category",
        "threshold",
        "window_days",
        "letter_kind",
        "is_active",
        "sort_order",
    ]
    list_editable = ["is_active"]
    list_filter = ["is_active", "scope", "letter_kind"]
    fields = [
        "name",
        "scope",
        "category",
        "threshold",
        "window_days",
        "letter_kind",
        "is_active",
        "sort_order",
    ]

    def has_delete_permission(self, request, obj=None):
        return False


class LetterReportInline(admin.TabularInline):
    model = LetterReport
    extra = 0
    fields = ["unit", "text", "submitted_by", "submitted_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Letter)
class LetterAdmin(DisciplineScopedAdmin):
    """Letters are drafted, issued and closed on their own pages (services); here they are a
    read-only record with their history. An issued letter never changes."""

    list_display = [
        "__str__",
        "kind",
        "status",
        "issued_on",
        "response_due",
        "drafting_unit",
    ]
    list_filter = ["status", "kind", "issued_on"]
    list_select_related = ["drafting_unit"]
    search_fields = ["subject", "recipients", "body"]
    readonly_fields = [
        "open_page",
        "authority",
        "drafting_unit",
        "kind",
        "status",
        "subject",
        "recipients",
        "body",
        "copy_to",
        "response_due",
        "addressees",
        "violations",
        "signer",
        "signature_titles",
        "signer_name",
        "rule",
        "register",
        "number",
        "symbol",
        "issued_on",
        "issued_at",
        "issued_by",
        "created_by",
        "created_at",
        "answered_at",
        "closed_at",
        "closed_by",
    ]
    fields = readonly_fields
    inlines = [LetterReportInline]

    @admin.display(description=_("letter page"))
    def open_page(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Open"))

    def visible(self, request):
        return selectors.letters_visible_to(request.user)

    def has_add_permission(self, request):
        # Letters are drafted from proposals or violations, never typed in from scratch here.
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Register)
class RegisterAdmin(DisciplineScopedAdmin):
    list_display = ["authority", "year", "last_number"]
    list_filter = ["year"]
    readonly_fields = ["authority", "year", "last_number"]
    fields = readonly_fields

    def visible(self, request):
        from units.selectors import authorities_visible_to

        return Register.objects.filter(authority__in=authorities_visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReportAttachmentInline(admin.TabularInline):
    model = ReportAttachment
    extra = 0
    fields = ["download", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(LetterReport)
class LetterReportAdmin(DisciplineScopedAdmin):
    list_display = ["letter", "unit", "submitted_by", "submitted_at"]
    list_select_related = ["letter", "unit", "submitted_by"]
    readonly_fields = ["letter", "unit", "text", "submitted_by", "submitted_at"]
    fields = readonly_fields
    inlines = [ReportAttachmentInline]

    def visible(self, request):
        return selectors.letter_reports_visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
