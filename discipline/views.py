import base64

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from discipline import selectors, services
from discipline.forms import (
    FeedbackViolationForm,
    FinishVisitForm,
    OneTimeCodeForm,
    TaskViolationForm,
    VisitEvidenceForm,
)
from discipline.minutes import minutes_context, presence_counts
from discipline.models import Violation, ViolationType
from discipline.security import log_event
from inspections.models import Feedback, RollEntry, Visit
from inspections.selectors import checklist_of, get_feedback, get_visit, roll_of
from inspections.services import FeedbackError, VisitError
from units.models import Staff
from units.selectors import get_task, roles_of, staff_of


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
    return render(request, "discipline/home.html", context)


@require_GET
def violation_detail(request, pk: int):
    violation = selectors.get_violation(request.user, pk)
    evidence = violation.evidence.all()
    return render(
        request,
        "discipline/violation_detail.html",
        {"violation": violation, "evidence": evidence},
    )


@require_GET
def evidence_download(request, pk: int):
    """Serve an evidence file to a user who may see it, always as a download."""
    evidence = selectors.get_evidence(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
        content_type=evidence.content_type,
    )


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
    if request.GET.get("entry", "").isdigit():
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


def _next_url(request) -> str:
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
        return redirect(_next_url(request))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_setup.html",
        {"form": form, "qr": qr, "secret": secret, "next": _next_url(request)},
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
            return redirect(_next_url(request))
        log_event("second_factor_failed", user=request.user)
    return render(
        request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)}
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
