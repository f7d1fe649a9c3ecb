import base64
import io
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from discipline import evaluation, legal, letters, selectors, services
from discipline.forms import (
    AcknowledgeForm,
    DisputeForm,
    FeedbackViolationForm,
    FinishVisitForm,
    LetterForm,
    LetterReportForm,
    OneTimeCodeForm,
    RecordViolationForm,
    RulingForm,
    TaskViolationForm,
    ViolationFilterForm,
    VisitEvidenceForm,
    VoidForm,
)
from discipline.letter_docx import render_docx
from discipline.minutes import minutes_context, presence_counts
from discipline.models import Decision, EscalationRule, Letter, Violation, ViolationType
from discipline.personal_data import export_file_name, export_personal_record, record_access
from discipline.security import log_event
from inspections.models import Feedback, RollEntry, Visit
from inspections.selectors import checklist_of, get_feedback, get_visit, roll_of
from inspections.services import FeedbackError, VisitError
from units.models import Staff
from units.selectors import (
    as_pk,
    get_task,
    get_unit,
    roles_of,
    sees_whole_authority,
    staff_of,
    staff_visible_to,
    units_visible_to,
)

PAGE_SIZE = 25
LIST_COLUMNS = (
    "occurred_at", "status", "response_due",
    "staff__full_name", "unit__name", "type__name",
)  # fmt: skip


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: an exact COUNT over a million violations costs more than the
    page itself, and nobody pages past the newest two thousand (filters narrow instead)."""

    cap = 2_000

    @cached_property
    def count(self) -> int:
        # Kept in the list's order: the database then walks the index that serves the page and
        # stops after `cap` rows (without ORDER BY PostgreSQL prefers a slower full scan).
        return self.object_list[: self.cap].count()

    @property
    def capped(self) -> bool:
        return self.count >= self.cap


def _page(request, queryset, *, paginator_class=Paginator):
    return paginator_class(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields (others above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_GET
def home(request):
    """The role-aware landing page: what needs this user's attention, with links."""
    user = request.user
    context = {
        "staff": staff_of(user),
        "roles": roles_of(user),
        "counts": selectors.attention_counts(user),
        "work": selectors.work_counts(user),
    }
    if user.has_perm("discipline.view_letter"):
        context["counts"].update(selectors.letter_counts(user, timezone.localdate()))
    return render(request, "discipline/home.html", context)


# --- lists --------------------------------------------------------------------------------------


@require_GET
def violation_list(request):
    """Every violation of the units the user sees, filtered, newest first."""
    _require(request, "discipline.view_violation")
    user = request.user
    units = units_visible_to(user)
    form = ViolationFilterForm(
        request.GET or None, units=units, staff=staff_visible_to(user).filter(unit__in=units)
    )
    # The columns the list shows, not the descriptions, explanations and rulings of each row.
    queryset = form.filter(selectors.violations_in_scope(user)).only(*LIST_COLUMNS)
    # The person list shows the chosen unit's staff (or just the chosen person): never all.
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if chosen.get("unit"):
        form.fields["staff"].queryset = chosen["unit"].staff.order_by("full_name", "pk")
    elif chosen.get("staff"):
        form.fields["staff"].queryset = form.fields["staff"].queryset.filter(pk=chosen["staff"].pk)
    else:
        form.fields["staff"].queryset = form.fields["staff"].queryset.none()
        form.fields["staff"].help_text = _("Choose a unit first, then one of its staff.")
    page = _page(request, queryset, paginator_class=CappedPaginator)
    if chosen.get("staff"):
        # Filtered to one person, the list is that person's record.
        record_access(user=user, staff=chosen["staff"], view="violation_list")
    can_notify = user.has_perm("discipline.notify_violation")
    return render(
        request,
        "discipline/violation_list.html",
        {
            "form": form,
            "page_obj": page,
            "query": _query_without_page(request),
            "can_notify": can_notify,
            "can_record": user.has_perm("discipline.add_violation"),
            "notifiable": can_notify and any(v.can_be_notified for v in page),
        },
    )


@require_GET
def inbox(request):
    """A unit head's violations to answer: overdue first, then newest, with their deadlines."""
    _require(request, "discipline.answer_violation")
    user = request.user
    units = units_visible_to(user)
    form = ViolationFilterForm(
        request.GET or None,
        units=units,
        staff=staff_visible_to(user).filter(unit__in=units),
        statuses=Violation.INBOX_STATUSES,
    )
    del form.fields["unit"], form.fields["category"]
    del form.fields["date_from"], form.fields["date_to"]
    form.fields["status"].choices = [
        choice for choice in form.fields["status"].choices if choice[0] != form.STANDING_OPEN
    ]
    page = _page(request, form.filter(selectors.inbox_of(user)))
    return render(
        request,
        "discipline/inbox.html",
        {"form": form, "page_obj": page, "query": _query_without_page(request)},
    )


@require_GET
def my_record(request):
    """A person's own violations, read-only, with the unit's explanation and the ruling."""
    page = _page(request, selectors.own_violations(request.user))
    record_access(user=request.user, staff=staff_of(request.user), view="my_record")
    return render(request, "discipline/my_record.html", {"page_obj": page})


@require_GET
def my_record_export(request):
    """Everything the application holds about the signed-in person, as a JSON download: their
    answer to a data-subject access request, without asking anyone."""
    staff = staff_of(request.user)
    if staff is None:
        raise Http404
    data = export_personal_record(staff=staff, by=request.user, view="my_record_export")
    return _download(data, export_file_name(staff), "application/json; charset=utf-8")


# --- one violation ------------------------------------------------------------------------------

ACTION_FORMS = {
    "acknowledge": AcknowledgeForm,
    "dispute": DisputeForm,
    "rule": RulingForm,
    "void": VoidForm,
}


def _available_actions(user, violation: Violation) -> set[str]:
    """What this user may do to this violation now: their permissions and its state."""
    rules = {
        "notify": ("discipline.notify_violation", violation.can_be_notified),
        "acknowledge": ("discipline.answer_violation", violation.can_be_acknowledged),
        "dispute": ("discipline.answer_violation", violation.can_be_disputed),
        "rule": ("discipline.rule_violation", violation.can_be_ruled),
        "close": ("discipline.close_violation", violation.can_be_closed),
        "void": ("discipline.void_violation", violation.can_be_voided),
    }
    return {name for name, (perm, allowed) in rules.items() if allowed and user.has_perm(perm)}


def _render_detail(request, violation: Violation, *, bound=None, status: int = 200):
    user = request.user
    available = _available_actions(user, violation)
    # Each form gets its own ids: several on one page share field names such as "reason".
    forms = {
        name: (bound or {}).get(name) or form_class(auto_id=f"id_{name}_%s")
        for name, form_class in ACTION_FORMS.items()
        if name in available
    }
    # Visits are inspectors' working papers: a unit head sees the finding, not the visit.
    show_visit = violation.visit_id is not None and user.has_perm("inspections.view_visit")
    timeline = selectors.violation_timeline(violation)
    decisions = selectors.decisions_of_violation(violation)
    return render(
        request,
        "discipline/violation_detail.html",
        {
            "violation": violation,
            "evidence": violation.evidence.all(),
            "timeline": timeline,
            # The last ruling, even once the violation was closed or voided after it.
            "ruling": next(
                (e.step for e in reversed(timeline) if e.step in ("upheld", "dismissed")), ""
            ),
            "actions": available,
            "forms": forms,
            "visit": violation.visit if show_visit else None,
            "open_form": next(iter(bound)) if bound else "",
            "decisions": decisions,
            "clocks": legal.violation_clocks(violation, decisions[0] if decisions else None),
        },
        status=status,
    )


@require_GET
def violation_detail(request, pk: int):
    violation = selectors.get_violation_page(request.user, pk)
    record_access(
        user=request.user, staff=violation.staff, violation=violation, view="violation_detail"
    )
    return _render_detail(request, violation)


def _act(request, pk: int, *, action: str, permission: str, perform, done: str):
    """Run one transition from the violation page: check the permission, find the violation in
    the user's scope, validate the action's form, call the service, then redirect back. A
    refused transition comes back as a message; bad input as errors next to the fields."""
    _require(request, permission)
    violation = selectors.get_violation_page(request.user, pk)
    form_class = ACTION_FORMS.get(action)
    form = (
        form_class(request.POST, request.FILES, auto_id=f"id_{action}_%s") if form_class else None
    )
    if form is None or form.is_valid():
        try:
            perform(violation, form.cleaned_data if form else {})
        except services.ViolationError as error:
            messages.error(request, str(error))
            return redirect(violation)
        except ValidationError as error:
            if form is None:
                raise
            _add_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(violation)
    return _render_detail(request, violation, bound={action: form}, status=200)


@require_POST
def violation_notify(request, pk: int):
    def perform(violation, data):
        if not services.notify_unit_heads(violations=[violation], by=request.user):
            raise services.ViolationError(_("Only a recorded violation can be notified."))

    return _act(
        request,
        pk,
        action="notify",
        permission="discipline.notify_violation",
        perform=perform,
        done=_("The unit head has been notified."),
    )


@require_POST
def violation_acknowledge(request, pk: int):
    return _act(
        request,
        pk,
        action="acknowledge",
        permission="discipline.answer_violation",
        perform=lambda violation, data: services.acknowledge_violation(
            violation=violation, by=request.user, corrective_action=data["corrective_action"]
        ),
        done=_("Acknowledged, with the corrective action."),
    )


@require_POST
def violation_dispute(request, pk: int):
    return _act(
        request,
        pk,
        action="dispute",
        permission="discipline.answer_violation",
        perform=lambda violation, data: services.dispute_violation(
            violation=violation,
            by=request.user,
            explanation=data["explanation"],
            evidence=[data["evidence"]] if data.get("evidence") else [],
        ),
        done=_("Dispute sent; an inspector will rule on it."),
    )


@require_POST
def violation_rule(request, pk: int):
    return _act(
        request,
        pk,
        action="rule",
        permission="discipline.rule_violation",
        perform=lambda violation, data: services.rule_on_violation(
            violation=violation, by=request.user, outcome=data["outcome"], reason=data["reason"]
        ),
        done=_("Ruling recorded; the unit head has been told."),
    )


@require_POST
def violation_close(request, pk: int):
    return _act(
        request,
        pk,
        action="close",
        permission="discipline.close_violation",
        perform=lambda violation, data: services.close_violation(
            violation=violation, by=request.user
        ),
        done=_("The violation is closed."),
    )


@require_POST
def violation_void(request, pk: int):
    return _act(
        request,
        pk,
        action="void",
        permission="discipline.void_violation",
        perform=lambda violation, data: services.void_violation(
            violation=violation, by=request.user, reason=data["reason"]
        ),
        done=_("The violation is voided; it stays on record with the reason."),
    )


@require_POST
def violations_notify(request):
    """Notify the unit heads of the chosen `recorded` violations (from the list)."""
    _require(request, "discipline.notify_violation")
    try:
        ids = {int(value) for value in request.POST.getlist("violation")}
    except ValueError as error:
        raise Http404 from error
    if any(as_pk(pk) is None for pk in ids):
        raise Http404
    chosen = list(selectors.violations_in_scope(request.user).filter(pk__in=ids))
    if not ids or len(chosen) != len(ids):
        raise Http404
    done = services.notify_unit_heads(violations=chosen, by=request.user)
    if done:
        messages.success(
            request,
            ngettext(
                "%(count)d violation notified to its unit head.",
                "%(count)d violations notified to their unit heads.",
                len(done),
            )
            % {"count": len(done)},
        )
    skipped = len(chosen) - len(done)
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d violation was not in the recorded state and was left as it was.",
                "%(count)d violations were not in the recorded state and were left as they were.",
                skipped,
            )
            % {"count": skipped},
        )
    return redirect(_next_url(request, reverse("discipline:violation_list") + "?status=recorded"))


@require_http_methods(["GET", "POST"])
def violation_record(request):
    """An inspector records a violation found outside a visit, optionally with a photo or PDF,
    and may notify the unit head at once."""
    _require(request, "discipline.add_violation")
    user = request.user
    units = units_visible_to(user)
    unit_pk = request.POST.get("unit") or request.GET.get("unit")
    unit = None
    if unit_pk:
        if as_pk(unit_pk) is None:
            raise Http404
        unit = get_unit(user, unit_pk)
    if request.method == "POST":
        form = RecordViolationForm(request.POST, request.FILES, units=units, unit=unit)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    violation = services.record_violation(
                        staff=data["staff"],
                        type=data["type"],
                        occurred_at=data["occurred_at"],
                        description=data["description"],
                        by=user,
                    )
                    if data.get("evidence"):
                        services.attach_evidence(
                            upload=data["evidence"], by=user, violation=violation
                        )
                    if data.get("notify"):
                        services.notify_unit_heads(violations=[violation], by=user)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Violation recorded."))
                return redirect(violation)
    else:
        form = RecordViolationForm(units=units, unit=unit)
    return render(request, "discipline/violation_record.html", {"form": form, "unit": unit})


def _stored_file_download(handle, stored) -> FileResponse:
    """An uploaded file (Evidence or ReportAttachment) as a download: always an attachment, with
    the content type the upload gate found, and nosniff so no browser second-guesses it."""
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored.original_name or stored.file.name.rsplit("/", 1)[-1],
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def evidence_download(request, pk: int):
    """Serve an evidence file to a user who may see it, always as a download."""
    evidence = selectors.get_evidence(request.user, pk)
    if evidence.violation_id:
        violation = evidence.violation
        record_access(
            user=request.user, staff=violation.staff, violation=violation, view="evidence_download"
        )
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return _stored_file_download(handle, evidence)


# --- visits: their page, finishing, evidence and minutes (the consequences of a visit) ---------

VIEW_VISIT = "inspections.view_visit"
RUN_VISIT = "inspections.change_visit"


@require_GET
@permission_required(VIEW_VISIT, raise_exception=True)
def visit_detail(request, pk: int):
    """One visit: what was planned, what to do next, and once finished its violations, evidence
    and minutes."""
    visit = get_visit(request.user, pk)
    counts = presence_counts(visit) if visit.started_at else None
    context = {
        "visit": visit,
        "team": list(visit.team.order_by("full_name")),
        "roll_total": counts["total"] if counts else None,
        "roll_counts": [
            (label, counts[value]) for value, label in RollEntry.Presence.choices if counts[value]
        ]
        if counts
        else [],
        "violations": list(
            selectors.violations_visible_to(request.user)
            .filter(visit=visit)
            .select_related("staff", "type")
            .order_by("staff__full_name", "pk")
        ),
        "evidence": list(
            selectors.evidence_visible_to(request.user)
            .filter(visit=visit)
            .select_related("roll_entry__staff")
            .order_by("uploaded_at", "pk")
        ),
        "checklist": list(checklist_of(visit)) if visit.status == Visit.Status.FINISHED else [],
    }
    return render(request, "discipline/visit_detail.html", context)


@require_http_methods(["GET", "POST"])
@permission_required([RUN_VISIT, "discipline.add_violation"], raise_exception=True)
def visit_finish(request, pk: int):
    """Review the findings, then finish the visit: they become violations and the unit head is
    told. Refused with a message when the visit is not in progress."""
    visit = get_visit(request.user, pk)
    if visit.status != Visit.Status.IN_PROGRESS:
        messages.error(request, _("Only a visit in progress can be finished."))
        return redirect("discipline:visit_detail", pk=visit.pk)
    form = FinishVisitForm(
        request.POST if request.method == "POST" else None,
        initial={"summary": visit.summary, "unit_representative": visit.unit_representative},
    )
    if request.method == "POST" and form.is_valid():
        try:
            violations = services.finish_visit(visit=visit, by=request.user, **form.cleaned_data)
        except VisitError as error:
            messages.error(request, str(error))
            return redirect("discipline:visit_detail", pk=visit.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = len(violations)
            messages.success(
                request,
                ngettext(
                    "Visit finished: %(count)d violation recorded and the unit head notified.",
                    "Visit finished: %(count)d violations recorded and the unit head notified.",
                    count,
                )
                % {"count": count}
                if count
                else _("Visit finished: no violation found."),
            )
            return redirect("discipline:visit_detail", pk=visit.pk)
    threshold = visit.lateness_threshold()
    findings = []
    for entry in roll_of(visit):
        labels = entry.finding_labels(threshold)
        if labels:
            findings.append({"entry": entry, "findings": labels})
    unanswered = sum(1 for a in checklist_of(visit) if a.answer == a.Answer.NOT_CHECKED)
    return render(
        request,
        "discipline/visit_finish.html",
        {
            "visit": visit,
            "form": form,
            "findings": findings,
            "finding_count": sum(len(row["findings"]) for row in findings),
            "unanswered": unanswered,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required([RUN_VISIT, "discipline.add_evidence"], raise_exception=True)
def visit_evidence_add(request, pk: int):
    """Attach photos or PDFs to a visit in progress, or to one person on its roll."""
    visit = get_visit(request.user, pk)
    if visit.status != Visit.Status.IN_PROGRESS:
        messages.error(request, _("Evidence can be attached only while the visit is in progress."))
        return redirect("discipline:visit_detail", pk=visit.pk)
    roll = roll_of(visit)
    initial = {}
    if as_pk(request.GET.get("entry")) is not None:
        initial["roll_entry"] = request.GET["entry"]
    posted = request.method == "POST"
    form = VisitEvidenceForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        roll=roll,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        entry = form.cleaned_data["roll_entry"]
        try:
            attached = [
                services.attach_evidence(
                    upload=upload,
                    by=request.user,
                    visit=None if entry else visit,
                    roll_entry=entry,
                )
                for upload in form.uploads
            ]
        except VisitError as error:
            messages.error(request, str(error))
            return redirect("discipline:visit_detail", pk=visit.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            names = ", ".join(str(evidence) for evidence in attached)
            messages.success(request, _("Evidence attached: %(names)s.") % {"names": names})
            target = reverse("inspections:roll", args=[visit.pk])
            return redirect(f"{target}#entry-{entry.pk}" if entry else target)
    return render(request, "discipline/visit_evidence_add.html", {"visit": visit, "form": form})


def _finished_visit(request, pk: int) -> Visit:
    visit = get_visit(request.user, pk)
    if visit.status != Visit.Status.FINISHED:
        raise Http404  # only a finished visit has minutes
    return visit


@require_GET
@permission_required(VIEW_VISIT, raise_exception=True)
def visit_minutes(request, pk: int):
    """The minutes as a printable page (the browser's print makes the paper copy)."""
    visit = _finished_visit(request, pk)
    # An official document is in Vietnamese whatever the interface language.
    with translation.override("vi"):
        return render(request, "discipline/visit_minutes.html", minutes_context(visit))


@require_GET
@permission_required(VIEW_VISIT, raise_exception=True)
def visit_minutes_pdf(request, pk: int):
    """The same minutes as a PDF download."""
    # WeasyPrint is imported on first use: importing it logs its start-up and takes a while.
    from discipline.pdf import render_pdf

    visit = _finished_visit(request, pk)
    with translation.override("vi"):
        pdf = render_pdf("discipline/visit_minutes.html", {**minutes_context(visit), "pdf": True})
    response = HttpResponse(pdf, content_type="application/pdf")
    day = timezone.localtime(visit.finished_at).strftime("%Y%m%d")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"bien-ban-kiem-tra-{visit.unit.code}-{day}-{visit.pk}.pdf"
    )
    return response


def _otp_next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """First login of a user whose role needs a second factor: scan a QR code into an
    authenticator app, then confirm with a code."""
    if user_has_device(request.user):
        return redirect("otp_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="TOTP", confirmed=False)
    form = OneTimeCodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        log_event("second_factor_enrolled", user=request.user)
        return redirect(_otp_next_url(request))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_setup.html",
        {"form": form, "qr": qr, "secret": secret, "next": _otp_next_url(request)},
    )


@require_http_methods(["GET", "POST"])
def otp_verify(request):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("otp_setup")
    form = OneTimeCodeForm(request.POST or None, device=device)
    if request.method == "POST":
        if form.is_valid():
            otp_login(request, device)
            log_event("second_factor_verified", user=request.user)
            return redirect(_otp_next_url(request))
        log_event("second_factor_failed", user=request.user)
    return render(
        request, "registration/otp_verify.html", {"form": form, "next": _otp_next_url(request)}
    )


@login_not_required
def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this when a (username, IP address) pair is locked out."""
    from django.conf import settings

    log_event("login_locked_out")
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


@login_not_required
def csrf_failure(request, reason=""):
    log_event("csrf_failure", user=getattr(request, "user", None), path=request.path[:300])
    response = render(request, "403_csrf.html", status=403)
    response.kc_logged = True
    return response


# --- violations from overdue tasks and citizen feedback -----------------------------------------


@require_http_methods(["GET", "POST"])
def task_violation(request, pk: int):
    """An inspector turns an overdue task into a proposed "slow task resolution" violation."""
    if not request.user.has_perm("discipline.add_violation"):
        raise PermissionDenied
    task = get_task(request.user, pk)
    existing = list(task.violations.exclude(status=Violation.Status.VOIDED).select_related("type"))
    default = _(
        "Slow task resolution: “%(title)s”, due %(due)s, not completed. Expected result: %(result)s"
    ) % {
        "title": task.title,
        "due": f"{task.due_date:%d/%m/%Y}",
        "result": task.expected_result,
    }
    form = TaskViolationForm(request.POST or None, initial={"description": default})
    if request.method == "POST" and form.is_valid():
        try:
            violation = services.propose_slow_task_violation(
                task=task, by=request.user, description=form.cleaned_data["description"]
            )
        except services.ViolationError as error:
            messages.error(request, str(error))
            return redirect(task)
        messages.success(request, _("Violation recorded; notify the unit head when ready."))
        return redirect(violation)
    context = {"task": task, "form": form, "existing": existing}
    return render(
        request, "discipline/task_violation.html", context, status=400 if form.is_bound else 200
    )


@require_http_methods(["GET", "POST"])
def feedback_violation(request, pk: int):
    """Triage citizen feedback into a violation: the form comes filled in from the item."""
    user = request.user
    if not (
        user.has_perm("discipline.add_violation") and user.has_perm("inspections.triage_feedback")
    ):
        raise PermissionDenied
    feedback = get_feedback(user, pk)
    if feedback.status != Feedback.Status.NEW:
        messages.error(request, _("This feedback has already been triaged."))
        return redirect(feedback)
    suggested = services.suggested_violation_type(feedback)
    submitted = timezone.localtime(feedback.submitted_at)
    initial = {
        "staff": feedback.staff_id,
        "type": suggested.pk if suggested else None,
        "occurred_at": submitted.replace(second=0, microsecond=0),
        "description": _("Citizen feedback of %(when)s: %(text)s")
        % {"when": f"{submitted:%d/%m/%Y}", "text": feedback.text},
    }
    form = FeedbackViolationForm(
        request.POST or None,
        initial=initial,
        staff_queryset=Staff.objects.active()
        .filter(unit_id=feedback.unit_id)
        .order_by("full_name", "pk"),
        type_queryset=ViolationType.objects.filter(is_active=True),
    )
    if request.method == "POST" and form.is_valid():
        try:
            violation = services.record_violation_from_feedback(
                feedback=feedback, by=user, **form.cleaned_data
            )
        except FeedbackError as error:
            messages.error(request, str(error))
            return redirect(feedback)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Violation recorded from the feedback."))
            return redirect(violation)
    context = {"feedback": feedback, "form": form, "suggested": suggested}
    return render(
        request,
        "discipline/feedback_violation.html",
        context,
        status=400 if form.is_bound else 200,
    )


# --- letters ---------------------------------------------------------------------------------

LETTER_FILTERS = ["draft", "issued", "overdue", "answered", "closed"]


@require_GET
@permission_required("discipline.view_letter", raise_exception=True)
def letter_list(request):
    """Letters the user reads: all of the Authority's for the office chief, the issued letters
    addressed to their unit for a unit head. Filter by status (or overdue)."""
    today = timezone.localdate()
    letters = selectors.letters_visible_to(request.user)
    status = request.GET.get("status", "")
    if status == "overdue":
        letters = letters.overdue(today)
    elif status in Letter.Status.values:
        letters = letters.filter(status=status)
    else:
        status = ""
    letters = letters.select_related("drafting_unit").prefetch_related("addressees")
    page = Paginator(letters.order_by("-created_at", "-pk"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "discipline/letter_list.html",
        {
            "page_obj": page,
            "status": status,
            "filters": [(value, _status_label(value)) for value in LETTER_FILTERS],
            "query": urlencode({"status": status}) if status else "",
            "today": today,
        },
    )


def _status_label(value: str) -> str:
    if value == "overdue":
        return _("Report overdue")
    return Letter.Status(value).label


@require_GET
@permission_required("discipline.view_letter", raise_exception=True)
def letter_detail(request, pk: int):
    user = request.user
    letter = selectors.get_letter(user, pk)
    today = timezone.localdate()
    visible_units = units_visible_to(user)
    reports = (
        selectors.letter_reports_visible_to(user)
        .filter(letter=letter)
        .select_related("unit", "submitted_by")
        .prefetch_related("attachments")
    )
    addressees = list(letter.addressees.all())
    open_for_reports = letter.status in (Letter.Status.ISSUED, Letter.Status.ANSWERED)
    can_report = (
        open_for_reports
        and user.has_perm("discipline.add_letterreport")
        and visible_units.filter(letters_received=letter).exists()
    )
    return render(
        request,
        "discipline/letter_detail.html",
        {
            "letter": letter,
            "document": letters.document_for(letter),
            "addressees": addressees,
            "violations": selectors.violations_visible_to(user)
            .filter(letters=letter)
            .with_related()
            .order_by("occurred_at", "pk"),
            "reports": reports,
            "overdue": letter.is_overdue(today),
            "can_edit": letter.is_draft and user.has_perm("discipline.change_letter"),
            "can_issue": letter.is_draft and user.has_perm("discipline.issue_letter"),
            "can_close": open_for_reports and user.has_perm("discipline.close_letter"),
            "can_report": can_report,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("discipline.change_letter", raise_exception=True)
def letter_edit(request, pk: int):
    """Edit a draft. An issued letter is refused: corrections are a new letter."""
    letter = selectors.get_letter(request.user, pk)
    if not letter.is_draft:
        messages.error(
            request, _("An issued letter cannot be changed; correct it with a new letter.")
        )
        return redirect(letter)
    form = LetterForm(
        request.POST or None,
        letter=letter,
        signers=selectors.signer_candidates(letter.drafting_unit),
        units=units_visible_to(request.user).order_by("name"),
        violations=list(letter.violations.all()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_letter(letter=letter, by=request.user, **form.cleaned_data)
        except services.LetterError as error:
            messages.error(request, str(error))
            return redirect(letter)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect(letter)
    return render(request, "discipline/letter_form.html", {"letter": letter, "form": form})


@require_POST
@permission_required("discipline.issue_letter", raise_exception=True)
def letter_issue(request, pk: int):
    letter = selectors.get_letter(request.user, pk)
    try:
        letter = services.issue_letter(letter=letter, by=request.user)
    except (services.LetterError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Letter issued as no. %(ref)s.") % {"ref": letter.reference})
    return redirect(letter)


@require_POST
@permission_required("discipline.close_letter", raise_exception=True)
def letter_close(request, pk: int):
    letter = selectors.get_letter(request.user, pk)
    try:
        services.close_letter(letter=letter, by=request.user)
    except services.LetterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The letter is closed."))
    return redirect(letter)


@require_http_methods(["GET", "POST"])
@permission_required("discipline.add_letterreport", raise_exception=True)
def letter_report(request, pk: int):
    """An addressed unit's report on the handling, with attachments."""
    letter = selectors.get_letter(request.user, pk)
    units = list(units_visible_to(request.user).filter(letters_received=letter).order_by("name"))
    if not units:
        raise PermissionDenied
    if letter.status not in (Letter.Status.ISSUED, Letter.Status.ANSWERED):
        messages.error(request, _("Only an issued letter that is not closed takes reports."))
        return redirect(letter)
    form = LetterReportForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_letter_report(
                letter=letter,
                unit=form.cleaned_data["unit"],
                text=form.cleaned_data["text"],
                uploads=form.cleaned_data["files"],
                by=request.user,
            )
        except services.LetterError as error:
            messages.error(request, str(error))
            return redirect(letter)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your report is recorded."))
            return redirect(letter)
    return render(
        request,
        "discipline/letter_report_form.html",
        {"letter": letter, "form": form, "overdue": letter.is_overdue(timezone.localdate())},
    )


@require_GET
@permission_required("discipline.view_letter", raise_exception=True)
def letter_docx(request, pk: int):
    letter = selectors.get_letter(request.user, pk)
    content = render_docx(letters.document_for(letter))
    return _download(
        content,
        f"{letters.file_stem(letter)}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@require_GET
@permission_required("discipline.view_letter", raise_exception=True)
def letter_pdf(request, pk: int):
    # WeasyPrint takes seconds to import: only the processes that render a PDF pay for it.
    from discipline.pdf import render_pdf

    letter = selectors.get_letter(request.user, pk)
    content = render_pdf(
        "discipline/letters/letter_page.html",
        {"document": letters.document_for(letter), "letter": letter, "screen": False},
    )
    return _download(content, f"{letters.file_stem(letter)}.pdf", "application/pdf")


@require_GET
@permission_required("discipline.view_letter", raise_exception=True)
def letter_print(request, pk: int):
    """The letter alone on an A4 sheet, for the browser's print dialog; same template as the
    PDF."""
    letter = selectors.get_letter(request.user, pk)
    return render(
        request,
        "discipline/letters/letter_page.html",
        {"document": letters.document_for(letter), "letter": letter, "screen": True},
    )


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_GET
@permission_required("discipline.view_reportattachment", raise_exception=True)
def report_attachment_download(request, pk: int):
    attachment = selectors.get_report_attachment(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return _stored_file_download(handle, attachment)


@require_GET
@permission_required("discipline.add_letter", raise_exception=True)
def letter_proposals(request):
    """Who is due a letter under the active escalation rules, and what already covers them."""
    proposals = selectors.letter_proposals(request.user)
    page = Paginator(proposals, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "discipline/letter_proposals.html",
        {
            "page_obj": page,
            "rules": EscalationRule.objects.filter(is_active=True),
            "due": sum(1 for p in proposals if p.state in ("new", "partly")),
        },
    )


@require_POST
@permission_required("discipline.add_letter", raise_exception=True)
def letter_draft(request):
    """Draft a letter from a proposal (rule and target), then edit it."""
    try:
        rule_pk = int(request.POST.get("rule", ""))
    except ValueError as error:
        raise Http404 from error
    proposal = selectors.get_proposal(
        request.user, rule_pk=rule_pk, target=request.POST.get("target", "")
    )
    try:
        letter = services.draft_letter(
            kind=proposal.rule.letter_kind,
            violations=proposal.violations,
            addressees=[proposal.unit],
            rule=proposal.rule,
            by=request.user,
        )
    except services.LetterError as error:
        messages.error(request, str(error))
        return redirect("discipline:letter_proposals")
    messages.success(request, _("Draft letter created; check and edit it before issuing."))
    return redirect("discipline:letter_edit", pk=letter.pk)


def _year(request) -> int:
    """The year asked for (?year=), or this year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2999 else timezone.localdate().year


@require_GET
@permission_required("discipline.view_register", raise_exception=True)
def letter_register(request):
    """The outgoing register (sổ văn bản đi) of a year: number, date, subject, addressees,
    signer."""
    year = _year(request)
    letters_of_year = selectors.register_letters(request.user, year)
    page = Paginator(letters_of_year, 50).get_page(request.GET.get("page"))
    years = selectors.register_years(request.user)
    if year not in years:
        years = sorted([*years, year], reverse=True)
    return render(
        request,
        "discipline/letter_register.html",
        {"page_obj": page, "year": year, "years": years, "query": f"year={year}"},
    )


@require_GET
@permission_required("discipline.view_register", raise_exception=True)
def letter_register_export(request):
    """The year's register as an Excel workbook."""
    from openpyxl import Workbook

    year = _year(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=f"So van ban di {year}")
    sheet.append(
        [
            str(_("Number")),
            str(_("Date")),
            str(_("Symbol")),
            str(_("Subject")),
            str(_("Addressed to")),
            str(_("Signer")),
            str(_("Status")),
        ]
    )
    for letter in selectors.register_letters(request.user, year).iterator(chunk_size=500):
        sheet.append(
            [
                letter.number_display,
                f"{letter.issued_on:%d/%m/%Y}",
                letter.reference,
                f"V/v {letter.subject}",
                "; ".join(letter.recipient_lines()),
                letter.signer_name,
                letter.get_status_display(),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return _download(
        out.getvalue(),
        f"so-van-ban-di-{year}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- disciplinary decisions and the year's evaluation sheet -------------------------------------


def _chosen_unit(request):
    """The unit asked for (?unit=): 404 outside the user's scope or not an id, None for all."""
    value = request.GET.get("unit", "")
    return get_unit(request.user, value) if value else None


def _year_choices(year: int) -> list[int]:
    this_year = timezone.localdate().year
    return sorted({*range(this_year - 5, this_year + 1), year}, reverse=True)


@require_GET
@permission_required("discipline.view_decision", raise_exception=True)
def decision_list(request):
    """Formal disciplinary decisions of the units the user sees, newest first; filter by year,
    unit and form."""
    user = request.user
    year = _year(request) if request.GET.get("year") else None
    unit = _chosen_unit(request)
    form = request.GET.get("form", "")
    decisions = selectors.decisions_visible_to(user)
    if year:
        decisions = decisions.in_year(year)
    if unit is not None:
        decisions = decisions.filter(unit=unit)
    if form in Decision.Form.values:
        decisions = decisions.filter(form=form)
    else:
        form = ""
    decisions = (
        decisions.select_related("staff", "unit")
        .annotate(violation_count=Count("violations"))
        .order_by("-decided_on", "-pk")
    )
    page = _page(request, decisions)
    return render(
        request,
        "discipline/decision_list.html",
        {
            "page_obj": page,
            "year": year,
            "years": _year_choices(year or timezone.localdate().year),
            "unit": unit,
            "units": units_visible_to(user).order_by("name"),
            "form_value": form,
            "forms": Decision.Form.choices,
            "query": _query_without_page(request),
            "can_record": user.has_perm("discipline.record_decision"),
        },
    )


@require_GET
@permission_required("discipline.view_decision", raise_exception=True)
def decision_detail(request, pk: int):
    """One decision: what, who decided, the violations it concerns and their legal clocks."""
    decision = selectors.get_decision(request.user, pk)
    violations = list(decision.violations.with_related().order_by("occurred_at", "pk"))
    rows = [(violation, legal.violation_clocks(violation, decision)) for violation in violations]
    return render(
        request,
        "discipline/decision_detail.html",
        {
            "decision": decision,
            "rows": rows,
            "can_record": request.user.has_perm("discipline.record_decision"),
        },
    )


EVALUATION_PAGE_SIZE = 50


@require_GET
@permission_required("discipline.view_decision", raise_exception=True)
def evaluation_sheet(request):
    """The year's record per person for the annual evaluation: standing violations by
    category, letters naming them, decisions, the rating cap and "Lao động tiên tiến"
    eligibility (rules: discipline/evaluation.py). Paged; the .xlsx holds every row."""
    user = request.user
    year = _year(request)
    unit = _chosen_unit(request)
    with_record_only = request.GET.get("record") == "1"
    people = selectors.evaluation_people(
        user, year=year, unit=unit, with_record_only=with_record_only
    )
    page = Paginator(people, EVALUATION_PAGE_SIZE).get_page(request.GET.get("page"))
    violations, decisions = selectors.evaluation_sources(user)
    lines = evaluation.person_years(
        list(page), year=year, violations=violations, decisions=decisions
    )
    return render(
        request,
        "discipline/evaluation_sheet.html",
        {
            "page_obj": page,
            "lines": lines,
            "year": year,
            "years": _year_choices(year),
            "unit": unit,
            "units": units_visible_to(user).order_by("name"),
            "categories": evaluation.CATEGORIES,
            "with_record_only": with_record_only,
            "query": _query_without_page(request),
            "export_query": urlencode(
                {
                    "year": year,
                    **({"unit": unit.pk} if unit is not None else {}),
                    **({"record": 1} if with_record_only else {}),
                }
            ),
        },
    )


@require_GET
@permission_required("discipline.view_decision", raise_exception=True)
def evaluation_export(request):
    """The whole sheet as .xlsx: openpyxl's write-only mode into a temporary file, people read
    500 at a time (three queries a chunk), then streamed back: memory stays flat and the
    worker is not held by building a large workbook in memory."""
    import tempfile

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    user = request.user
    year = _year(request)
    unit = _chosen_unit(request)
    people = selectors.evaluation_people(
        user, year=year, unit=unit, with_record_only=request.GET.get("record") == "1"
    )
    violations, decisions = selectors.evaluation_sources(user)
    categories = evaluation.CATEGORIES

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Evaluation %(year)s") % {"year": year})[:31])
    headers = [
        _("No."),
        _("Full name"),
        _("Position"),
        _("Unit"),
        *[category.label for category in categories],
        _("Standing violations"),
        _("Letters naming them"),
        _("Decisions in the year"),
        _("Rating cap"),
        _("Eligible for “Lao động tiên tiến”"),
    ]
    widths = [6, 28, 24, 30, *[14] * len(categories), 12, 24, 36, 28, 16]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header_cells.append(cell)
    sheet.append(header_cells)

    yes, no = str(_("Yes")), str(_("No"))
    number = 0
    chunk: list = []

    def write(chunk_rows):
        nonlocal number
        for line in evaluation.person_years(
            chunk_rows, year=year, violations=violations, decisions=decisions
        ):
            number += 1
            sheet.append(
                [
                    number,
                    line.full_name,
                    line.position,
                    line.unit,
                    *line.category_counts,
                    line.standing_total,
                    "; ".join(line.letters),
                    "; ".join(
                        f"{d.number} ({d.decided_on:%d/%m/%Y}, {d.get_form_display()})"
                        for d in line.decisions
                    ),
                    line.cap_label,
                    yes if line.advanced_worker_eligible else no,
                ]
            )

    for person in people.iterator(chunk_size=500):
        chunk.append(person)
        if len(chunk) == 500:
            write(chunk)
            chunk = []
    if chunk:
        write(chunk)

    # A second sheet: the year's decisions one per line, with real dates.
    listed = workbook.create_sheet(title=str(_("Decisions %(year)s") % {"year": year})[:31])
    decision_headers = [
        _("Decision number"),
        _("Decision date"),
        _("Form of discipline"),
        _("Full name"),
        _("Unit"),
        _("Deciding authority"),
        _("Signed by"),
    ]
    for index, width in enumerate([18, 14, 22, 28, 30, 36, 30], start=1):
        listed.column_dimensions[get_column_letter(index)].width = width
    listed.append([WriteOnlyCell(listed, value=str(h)) for h in decision_headers])
    year_decisions = decisions.in_year(year).select_related("staff", "unit")
    if unit is not None:
        year_decisions = year_decisions.filter(unit=unit)
    for decision in year_decisions.order_by("decided_on", "pk").iterator(chunk_size=500):
        date_cell = WriteOnlyCell(listed, value=decision.decided_on)
        date_cell.number_format = "DD/MM/YYYY"
        listed.append(
            [
                decision.number,
                date_cell,
                decision.get_form_display(),
                decision.staff.full_name,
                str(decision.unit),
                decision.decided_by,
                f"{decision.signer_position} {decision.signer_name}".strip(),
            ]
        )

    # Closed by the FileResponse once sent.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(out)
    out.seek(0)
    suffix = f"-{unit.code}" if unit is not None else ""
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"danh-gia-{year}{suffix}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- dashboards and periodic reports ------------------------------------------------------


def _report_request(request):
    """The filters of a dashboard or report: the form, the period, the category, the units
    covered (404 for a unit outside the user's scope), the chosen unit, and the Authority's
    id when the units are all of its units (selectors.report_scope)."""
    from discipline.forms import ReportFilterForm

    _require(request, "discipline.view_violation")
    user = request.user
    units, unit, authority = selectors.report_scope(user, request.GET.get("unit"))
    form = ReportFilterForm(
        request.GET or None,
        units=units_visible_to(user).order_by("name", "pk"),
        today=timezone.localdate(),
        whole_authority=sees_whole_authority(user),
    )
    return form, form.get_period(), form.get_category(), units, unit, authority


def _scope_name(request, unit) -> str:
    """What the figures cover: the chosen unit, a unit head's own unit, or the Authority."""
    if unit is not None:
        return unit.name
    staff = staff_of(request.user)
    if staff is None:
        return _("All authorities")
    return staff.authority.name if sees_whole_authority(request.user) else staff.unit.name


@require_GET
def dashboard(request):
    """Trends for the units the user sees: violations by month, category and unit, repeat
    offenders, visits done against planned, answers and letter reports overdue."""
    from discipline import reports

    form, period, category, units, unit, authority = _report_request(request)
    board = reports.dashboard(units, period=period, category=category, authority=authority)
    return render(
        request,
        "discipline/dashboard.html",
        {
            "form": form,
            "board": board,
            "chart_data": board.chart_data(),
            "scope_name": _scope_name(request, unit),
            "query": request.GET.urlencode(),
        },
    )


# The report page lists the repeat offenders with the most violations; the .xlsx lists everyone.
REPORT_OFFENDERS_SHOWN = 50
# And the first letters of the period (a province issues thousands a year).
REPORT_LETTERS_SHOWN = 100


@require_GET
def report(request):
    """The periodic report (month, quarter, half, year or a date range) for the Authority or
    one unit, with the change from the period before; downloads as .xlsx and .docx."""
    from discipline import reports

    form, period, category, units, unit, authority = _report_request(request)
    return render(
        request,
        "discipline/report.html",
        {
            "form": form,
            "report": reports.report(
                units,
                period=period,
                category=category,
                offender_limit=REPORT_OFFENDERS_SHOWN,
                letter_limit=REPORT_LETTERS_SHOWN,
                authority=authority,
            ),
            "scope_name": _scope_name(request, unit),
            "query": request.GET.urlencode(),
        },
    )


def _report_file_stem(report, unit) -> str:
    from django.utils.text import slugify

    scope = f"-{slugify(unit.code or unit.name)}" if unit is not None else ""
    return f"bao-cao-{report.period.start:%Y%m%d}-{report.period.end:%Y%m%d}{scope}"


@require_GET
def report_xlsx(request):
    """The report as an Excel workbook, one sheet per table, with every violation of the
    period on the last sheet. Written in openpyxl's write-only mode to a temporary file that is
    streamed back: memory stays flat however many rows (timed in tests/perf/bench_reports.py)."""
    import tempfile

    from discipline import reports
    from discipline.report_files import write_xlsx

    _form, period, category, units, unit, authority = _report_request(request)
    data = reports.report(units, period=period, category=category, authority=authority)
    # FileResponse closes the file when sent, and a TemporaryFile is deleted when closed.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    with translation.override("vi"):
        write_xlsx(
            handle,
            data,
            scope_name=_scope_name(request, unit),
            rows=reports.violation_rows(units, period, category),
        )
    handle.seek(0)
    log_event("report_exported", user=request.user, format="xlsx")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{_report_file_stem(data, unit)}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_GET
def report_docx(request):
    """The report as an editable BÁO CÁO in the administrative format of the letters."""
    from discipline import reports
    from discipline.report_files import render_report_docx

    _form, period, category, units, unit, authority = _report_request(request)
    # The document states how many repeat offenders there are, without listing them.
    data = reports.report(
        units, period=period, category=category, offender_limit=0, authority=authority
    )
    staff = staff_of(request.user)
    authority = staff.authority if staff else (unit.authority if unit else None)
    if authority is None:
        raise Http404
    with translation.override("vi"):
        content = render_report_docx(
            data,
            authority=authority,
            scope_name=_scope_name(request, unit),
            today=timezone.localdate(),
        )
    return _download(
        content,
        f"{_report_file_stem(data, unit)}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
