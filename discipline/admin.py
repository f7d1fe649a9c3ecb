from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from discipline import selectors, services
from discipline.forms import (
    AcknowledgeForm,
    AdminDisputeForm,
    DecisionAdminForm,
    DraftLetterForm,
    RulingForm,
    VoidForm,
)
from discipline.models import (
    Decision,
    EscalationRule,
    Evidence,
    Letter,
    LetterReport,
    RecordAccess,
    Register,
    ReportAttachment,
    Violation,
    ViolationType,
)
from discipline.personal_data import export_file_name, export_personal_record, record_access
from inspections.admin import VisitAdmin
from inspections.models import Visit
from inspections.selectors import visits_visible_to
from units.admin import ScopedAdmin, ScopedRelatedFilter, SharedCatalogueAdmin, StaffAdmin
from units.models import Staff
from units.selectors import staff_visible_to


class DisciplineScopedAdmin(ScopedAdmin):
    def choices_for(self, model, request):
        if model is Visit:
            return visits_visible_to(request.user).select_related("unit")
        if model is Violation:
            return selectors.violations_visible_to(request.user).with_related()
        return super().choices_for(model, request)


@admin.register(ViolationType)
class ViolationTypeAdmin(SharedCatalogueAdmin):
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        _log_opened(request, response, view="admin_violation", violation=True)
        return response

    actions = [
        "notify_selected",
        "acknowledge_selected",
        "dispute_selected",
        "rule_selected",
        "close_selected",
        "void_selected",
        "draft_letter_selected",
        "extend_handling_selected",
    ]
    show_full_result_count = False
    # A screenful; at a million rows filters narrow, and each row costs rendering time.
    list_per_page = 50

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

    def has_notify_permission(self, request) -> bool:
        return request.user.has_perm("discipline.notify_violation")

    def has_answer_permission(self, request) -> bool:
        return request.user.has_perm("discipline.answer_violation")

    def has_rule_permission(self, request) -> bool:
        return request.user.has_perm("discipline.rule_violation")

    def has_close_permission(self, request) -> bool:
        return request.user.has_perm("discipline.close_violation")

    def _each(self, request, queryset, perform, done_message) -> None:
        """Run one service per selected violation, each in its own transaction: the allowed
        ones change, the refused ones are listed with the reason."""
        done, refused = 0, []
        for violation in queryset:
            try:
                with transaction.atomic():
                    perform(violation)
                done += 1
            except services.ViolationError as error:
                refused.append(f"{violation}: {error}")
            except ValidationError as error:
                refused.append(f"{violation}: {' '.join(error.messages)}")
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    def _with_form(self, request, queryset, *, action, form_class, title, intro, button, run):
        """An action that needs text (a reason, an explanation): ask for it on an intermediate
        page, then run. `run(violation, cleaned_data)` calls the service."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            return run(form.cleaned_data)
        return TemplateResponse(
            request,
            "admin/discipline/violation/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "intro": intro,
                "button": button,
                "action": action,
                "opts": self.model._meta,
                "queryset": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )

    def has_record_decision_permission(self, request) -> bool:
        return request.user.has_perm("discipline.record_decision")

    @admin.action(
        description=_("Extend the handling limit to 150 days (complex case)"),
        permissions=["record_decision"],
    )
    def extend_handling_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda v: services.extend_handling_limit(violation=v, by=request.user),
            lambda n: (
                ngettext(
                    "%(count)d violation's handling limit extended to 150 days.",
                    "%(count)d violations' handling limits extended to 150 days.",
                    n,
                )
                % {"count": n}
            ),
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

    @admin.action(description=_("Void selected violations (with a reason)"), permissions=["void"])
    def void_selected(self, request, queryset):
        return self._with_form(
            request,
            queryset,
            action="void_selected",
            form_class=VoidForm,
            title=_("Void violations"),
            intro=_(
                "These violations will be voided. They stay on record with the reason you give."
            ),
            button=_("Void"),
            run=lambda data: self._each(
                request,
                queryset,
                lambda v: services.void_violation(
                    violation=v, by=request.user, reason=data["reason"]
                ),
                lambda n: ngettext("%d violation voided.", "%d violations voided.", n) % n,
            ),
        )

    @admin.action(
        description=_("Notify the unit heads of selected violations"), permissions=["notify"]
    )
    def notify_selected(self, request, queryset):
        done = services.notify_unit_heads(violations=list(queryset), by=request.user)
        self.message_user(
            request,
            ngettext("%d violation notified.", "%d violations notified.", len(done)) % len(done),
            messages.SUCCESS if done else messages.WARNING,
        )

    @admin.action(
        description=_("Acknowledge selected violations (with the corrective action)"),
        permissions=["answer"],
    )
    def acknowledge_selected(self, request, queryset):
        return self._with_form(
            request,
            queryset,
            action="acknowledge_selected",
            form_class=AcknowledgeForm,
            title=_("Acknowledge violations"),
            intro=_("Your unit accepts these violations and reports the corrective action taken."),
            button=_("Acknowledge"),
            run=lambda data: self._each(
                request,
                queryset,
                lambda v: services.acknowledge_violation(
                    violation=v, by=request.user, corrective_action=data["corrective_action"]
                ),
                lambda n: (
                    ngettext("%d violation acknowledged.", "%d violations acknowledged.", n) % n
                ),
            ),
        )

    @admin.action(
        description=_("Dispute selected violations (with an explanation)"), permissions=["answer"]
    )
    def dispute_selected(self, request, queryset):
        return self._with_form(
            request,
            queryset,
            action="dispute_selected",
            form_class=AdminDisputeForm,
            title=_("Dispute violations"),
            intro=_(
                "Your unit disputes these violations; an inspector will rule. To attach a photo "
                "or PDF, dispute from the violation's own page instead."
            ),
            button=_("Send the dispute"),
            run=lambda data: self._each(
                request,
                queryset,
                lambda v: services.dispute_violation(
                    violation=v, by=request.user, explanation=data["explanation"]
                ),
                lambda n: ngettext("%d violation disputed.", "%d violations disputed.", n) % n,
            ),
        )

    @admin.action(description=_("Rule on selected disputes"), permissions=["rule"])
    def rule_selected(self, request, queryset):
        return self._with_form(
            request,
            queryset,
            action="rule_selected",
            form_class=RulingForm,
            title=_("Rule on disputes"),
            intro=_("The same ruling and reason apply to every selected dispute."),
            button=_("Record the ruling"),
            run=lambda data: self._each(
                request,
                queryset,
                lambda v: services.rule_on_violation(
                    violation=v, by=request.user, outcome=data["outcome"], reason=data["reason"]
                ),
                lambda n: ngettext("%d ruling recorded.", "%d rulings recorded.", n) % n,
            ),
        )

    @admin.action(description=_("Close selected violations"), permissions=["close"])
    def close_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda v: services.close_violation(violation=v, by=request.user),
            lambda n: ngettext("%d violation closed.", "%d violations closed.", n) % n,
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


@admin.register(EscalationRule)
class EscalationRuleAdmin(SharedCatalogueAdmin):
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


def _log_opened(request, response, *, view: str, violation: bool = False) -> None:
    """Note in the access log that an admin change page showed a person's record."""
    original = (getattr(response, "context_data", None) or {}).get("original")
    if request.method != "GET" or response.status_code != 200 or original is None:
        return
    if violation:
        record_access(user=request.user, staff=original.staff, violation=original, view=view)
    else:
        record_access(user=request.user, staff=original, view=view)


admin.site.unregister(Staff)


@admin.register(Staff)
class StaffWithRecordAdmin(StaffAdmin):
    """The staff admin, plus the access log of opening a person and the export of their full
    record for a data-subject request (administrators)."""

    actions = ["export_personal_record"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        _log_opened(request, response, view="admin_staff")
        return response

    def has_export_permission(self, request):
        return request.user.has_perm("discipline.export_personal_record")

    @admin.action(
        description=_("Export the person's full record (JSON, data-subject request)"),
        permissions=["export"],
    )
    def export_personal_record(self, request, queryset):
        if len(chosen := list(queryset[:2])) != 1:
            self.message_user(
                request, _("Choose exactly one person to export."), level=messages.ERROR
            )
            return None
        staff = chosen[0]
        data = export_personal_record(staff=staff, by=request.user, view="admin_export")
        response = HttpResponse(data, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, export_file_name(staff))
        return response


@admin.register(RecordAccess)
class RecordAccessAdmin(ScopedAdmin):
    """Who opened whose violation record: read-only, for administrators (the permission
    view_recordaccess), within their Authority; other Authorities' rows answer 404."""

    list_display = ["accessed_at", "user", "staff", "violation", "view"]
    list_filter = ["view", "accessed_at"]
    list_select_related = ["user", "staff", "violation__type", "violation__staff"]
    search_fields = ["staff__full_name", "user__username"]
    date_hierarchy = "accessed_at"
    fields = ["accessed_at", "user", "staff", "violation", "view"]
    readonly_fields = fields

    def visible(self, request):
        return RecordAccess.objects.filter(staff__in=staff_visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(DisciplineScopedAdmin):
    """Administrators record the outcome of the formal disciplinary process here; everyone
    else reads it on the decision pages. Corrections keep the previous version in history."""

    form = DecisionAdminForm
    list_display = ["number", "decided_on", "staff", "unit", "form", "decided_by"]
    list_filter = ["form", "year", ("unit", ScopedRelatedFilter)]
    list_select_related = ["staff", "unit"]
    search_fields = ["number", "staff__full_name", "signer_name"]
    autocomplete_fields = ["staff", "violations"]
    readonly_fields = ["open_page", "authority", "unit", "recorded_by", "recorded_at"]
    show_full_result_count = False

    @admin.display(description=_("decision page"))
    def open_page(self, obj):
        if obj is None or obj.pk is None:
            return ""
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Open"))

    def visible(self, request):
        return selectors.decisions_visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_add_permission(self, request):
        return request.user.has_perm("discipline.record_decision")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("discipline.record_decision")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "form",
                "number",
                "decided_on",
                "decided_by",
                "signer_name",
                "signer_position",
                "notes",
            )
        }
        if change:
            saved = services.correct_decision(
                decision=obj, by=request.user, violations=list(data["violations"]), **fields
            )
        else:
            saved = services.record_decision(
                staff=data["staff"], by=request.user, violations=list(data["violations"]), **fields
            )
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # The service has set the violations.
        pass
