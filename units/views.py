from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from units import selectors, services
from units.calendar import working_days_back
from units.forms import DiaryCorrectionForm, DiaryEntryForm, TaskAssignForm, TaskNoteForm
from units.models import DiaryEntry, Staff, Task


@require_GET
def notification_list(request):
    notifications = selectors.notifications_of(request.user)
    page = Paginator(notifications, 25).get_page(request.GET.get("page"))
    return render(request, "units/notification_list.html", {"page_obj": page})


@require_POST
def notification_open(request, pk: int):
    """Mark one notification read and follow its link."""
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.mark_notifications_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        target = "units:notification_list"
    return redirect(target)


@require_POST
def notification_read_all(request):
    services.mark_notifications_read(user=request.user)
    return redirect("units:notification_list")


# --- tasks ---------------------------------------------------------------------------------------

# Reasons save_tracked records on a Task, as the timeline shows them.
TASK_EVENTS = {
    "assigned": gettext_lazy("Assigned"),
    "progress": gettext_lazy("Progress reported"),
    "submitted": gettext_lazy("Completed"),
    "accepted": gettext_lazy("Accepted"),
    "returned": gettext_lazy("Returned"),
}


@require_GET
def task_list(request, which: str = "mine"):
    """My tasks, my units' tasks, or the overdue ones, filtered by status and paginated."""
    user = request.user
    if which == "mine":
        own = selectors.staff_of(user)
        if own is None:
            raise PermissionDenied
        tasks = Task.objects.filter(assignee_id=own.pk)
    else:
        if not selectors.oversees_tasks(user):
            raise PermissionDenied
        tasks = selectors.unit_tasks_visible_to(user)
        if which == "overdue":
            tasks = tasks.overdue()
    status = request.GET.get("status", "")
    if status == "open":
        tasks = tasks.pending()
    elif status in Task.Status.values:
        tasks = tasks.filter(status=status)
    else:
        status = ""
    page = Paginator(tasks.with_related().order_by("due_date", "pk"), 25).get_page(
        request.GET.get("page")
    )
    context = {
        "which": which,
        "page_obj": page,
        "status": status,
        "statuses": Task.Status.choices,
        "query": urlencode({"status": status}) if status else "",
        "oversees": selectors.oversees_tasks(user),
        "may_assign": selectors.units_managed_by(user).exists(),
        "today": timezone.localdate(),
    }
    return render(request, "units/task_list.html", context)


@require_http_methods(["GET", "POST"])
def task_assign(request):
    """A unit head (or a delegated deputy) assigns a task to one person of their unit."""
    managed = selectors.units_managed_by(request.user)
    if not managed.exists():
        raise PermissionDenied
    staff = Staff.objects.active().filter(unit__in=managed).select_related("unit")
    form = TaskAssignForm(
        request.POST or None,
        staff_queryset=staff.order_by("unit__name", "full_name", "pk"),
        initial={"assignee": request.GET.get("assignee")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = services.assign_task(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Task assigned to %(name)s.") % {"name": task.assignee})
            return redirect(task)
    status = 400 if form.is_bound else 200
    return render(request, "units/task_form.html", {"form": form}, status=status)


def _task_page(request, task: Task, *, bound: dict | None = None, status: int = 200):
    user = request.user
    own = selectors.staff_of(user)
    is_assignee = own is not None and own.pk == task.assignee_id
    may_review = not is_assignee and selectors.manages_tasks_of(user, task.unit)
    # Each form has its own prefix: four "note" fields on one page need four ids.
    forms = {
        "progress": TaskNoteForm(prefix="progress", label=_("Progress note")),
        "complete": TaskNoteForm(prefix="complete", required=True, label=_("What was done")),
        "accept": TaskNoteForm(prefix="accept", label=_("Comment")),
        "return": TaskNoteForm(prefix="return", required=True, label=_("What is missing")),
    }
    forms.update(bound or {})
    history = task.history.select_related("history_user").order_by("history_date", "history_id")
    timeline = []
    for record in history:
        note = {
            "progress": record.progress_note,
            "submitted": record.completion_note,
            "accepted": record.review_note,
            "returned": record.review_note,
        }.get(record.history_change_reason, "")
        timeline.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "event": TASK_EVENTS.get(record.history_change_reason, gettext_lazy("Changed")),
                "note": note,
            }
        )
    context = {
        "task": task,
        "is_assignee": is_assignee,
        "may_review": may_review,
        "may_propose_violation": task.is_overdue and user.has_perm("discipline.add_violation"),
        "forms": forms,
        "timeline": timeline,
    }
    return render(request, "units/task_detail.html", context, status=status)


@require_GET
def task_detail(request, pk: int):
    return _task_page(request, selectors.get_task(request.user, pk))


def _task_action(request, pk: int, *, action: str, form: TaskNoteForm, assignee_only: bool):
    """Shared shape of the four task actions: scoped look-up, 403 for the wrong person, a form,
    one service, redirect. A refused transition comes back as a message on the task page."""
    task = selectors.get_task(request.user, pk)
    own = selectors.staff_of(request.user)
    if assignee_only:
        if own is None or own.pk != task.assignee_id:
            raise PermissionDenied
    elif not selectors.manages_tasks_of(request.user, task.unit):
        raise PermissionDenied
    if not form.is_valid():
        return _task_page(request, task, bound={action: form}, status=400)
    service = {
        "progress": services.report_task_progress,
        "complete": services.complete_task,
        "accept": services.accept_task,
        "return": services.return_task,
    }[action]
    try:
        service(task=task, by=request.user, note=form.cleaned_data["note"])
    except services.TaskError as error:
        messages.error(request, str(error))
    except ValidationError as error:
        form.add_error(None, error)
        return _task_page(request, task, bound={action: form}, status=400)
    else:
        messages.success(request, TASK_DONE_MESSAGES[action])
    return redirect("units:task_detail", pk=task.pk)


TASK_DONE_MESSAGES = {
    "progress": gettext_lazy("Progress recorded."),
    "complete": gettext_lazy(
        "Task reported as completed; the person who assigned it has been told."
    ),
    "accept": gettext_lazy("Task accepted."),
    "return": gettext_lazy("Task returned to the assignee."),
}


@require_POST
def task_progress(request, pk: int):
    form = TaskNoteForm(request.POST, prefix="progress", label=_("Progress note"))
    return _task_action(request, pk, action="progress", form=form, assignee_only=True)


@require_POST
def task_complete(request, pk: int):
    form = TaskNoteForm(request.POST, prefix="complete", required=True, label=_("What was done"))
    return _task_action(request, pk, action="complete", form=form, assignee_only=True)


@require_POST
def task_accept(request, pk: int):
    form = TaskNoteForm(request.POST, prefix="accept", label=_("Comment"))
    return _task_action(request, pk, action="accept", form=form, assignee_only=False)


@require_POST
def task_return(request, pk: int):
    form = TaskNoteForm(request.POST, prefix="return", required=True, label=_("What is missing"))
    return _task_action(request, pk, action="return", form=form, assignee_only=False)


# --- work diaries ------------------------------------------------------------------------------


def _own_staff(request) -> Staff:
    own = selectors.staff_of(request.user)
    if own is None:
        raise PermissionDenied
    return own


def _diary_tasks(own: Staff):
    return Task.objects.filter(assignee_id=own.pk).exclude(status=Task.Status.ACCEPTED)


def _my_diary(request, own: Staff, form: DiaryEntryForm, *, status: int = 200):
    entries = (
        DiaryEntry.objects.filter(staff_id=own.pk)
        .originals()
        .select_related("task")
        .prefetch_related(
            Prefetch("corrections", queryset=DiaryEntry.objects.order_by("created_at", "pk"))
        )
    )
    page = Paginator(entries, 20).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "today": timezone.localdate()}
    return render(request, "units/diary_mine.html", context, status=status)


@require_GET
def diary_mine(request):
    """The user's own work diary: today's form and the earlier entries with their corrections."""
    own = _own_staff(request)
    form = DiaryEntryForm(task_queryset=_diary_tasks(own))
    return _my_diary(request, own, form)


@require_POST
def diary_write(request):
    own = _own_staff(request)
    form = DiaryEntryForm(request.POST, task_queryset=_diary_tasks(own))
    if form.is_valid():
        try:
            services.write_diary_entry(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Diary entry saved."))
            return redirect("units:diary_mine")
    return _my_diary(request, own, form, status=400)


@require_http_methods(["GET", "POST"])
def diary_edit(request, pk: int):
    """Edit one of today's own entries; an older one is sent to the correction page."""
    own = _own_staff(request)
    entry = selectors.get_own_diary_entry(request.user, pk)
    if not entry.editable_today:
        messages.error(
            request,
            _("An entry can be edited only on the day it was written; add a correction instead."),
        )
        return redirect("units:diary_correct", pk=entry.pk)
    form = DiaryEntryForm(
        request.POST or None,
        task_queryset=_diary_tasks(own),
        initial={"text": entry.text, "task": entry.task_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_diary_entry(entry=entry, by=request.user, **form.cleaned_data)
        except services.DiaryError as error:
            messages.error(request, str(error))
            return redirect("units:diary_mine")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Diary entry updated."))
            return redirect("units:diary_mine")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "units/diary_form.html",
        {"form": form, "entry": entry, "mode": "edit"},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def diary_correct(request, pk: int):
    """Append a correction to an earlier own entry; the original text is never changed."""
    _own_staff(request)
    entry = selectors.get_own_diary_entry(request.user, pk)
    form = DiaryCorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_diary_entry(entry=entry, by=request.user, **form.cleaned_data)
        except services.DiaryError as error:
            messages.error(request, str(error))
        except ValidationError as error:
            form.add_error(None, error)
            return render(
                request,
                "units/diary_form.html",
                {"form": form, "entry": entry, "mode": "correct"},
                status=400,
            )
        else:
            messages.success(request, _("Correction added."))
        return redirect("units:diary_mine")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "units/diary_form.html",
        {"form": form, "entry": entry, "mode": "correct"},
        status=status,
    )


@require_GET
def diary_unit(request):
    """A unit's diaries for its head (and inspectors): who wrote on each of the last working
    days, and the entries, newest first."""
    user = request.user
    if not user.has_perm("units.view_diaryentry"):
        raise PermissionDenied
    units = selectors.units_visible_to(user).order_by("name")
    own = selectors.staff_of(user)
    unit_id = request.GET.get("unit") or (own.unit_id if own else None)
    if selectors.as_pk(unit_id) is not None:
        unit = get_object_or_404(units, pk=unit_id)
    else:
        unit = units.first()
        if unit is None:
            raise Http404
    people = list(Staff.objects.active().filter(unit_id=unit.pk).order_by("full_name", "pk"))
    today = timezone.localdate()
    days = selectors.diary_days([p.pk for p in people], today)
    window = working_days_back(today, 5)
    grid = [{"staff": p, "days": list(days[p.pk].values())} for p in people]
    entries = (
        DiaryEntry.objects.filter(staff__unit_id=unit.pk)
        .select_related("staff", "task", "corrects")
        .order_by("-day", "-created_at", "-pk")
    )
    person = request.GET.get("staff", "")
    if person:
        if selectors.as_pk(person) is None or not any(p.pk == int(person) for p in people):
            raise Http404
        entries = entries.filter(staff_id=int(person))
    query = urlencode({k: v for k, v in {"unit": unit.pk, "staff": person}.items() if v})
    context = {
        "unit": unit,
        "units": units,
        "grid": grid,
        "window": window,
        "person": person,
        "page_obj": Paginator(entries, 25).get_page(request.GET.get("page")),
        "query": query,
    }
    return render(request, "units/diary_unit.html", context)
