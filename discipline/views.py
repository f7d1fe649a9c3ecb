from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from discipline import selectors, services
from discipline.forms import FeedbackViolationForm, TaskViolationForm
from discipline.models import Violation, ViolationType
from inspections.models import Feedback
from inspections.selectors import get_feedback
from inspections.services import FeedbackError
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
