"""State changes of the organisation. Every write in the project saves through save_tracked()
so that the history records who changed what and why, whether the change came from a page,
the admin or a command."""

import datetime
import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from units.models import DiaryEntry, Notification, Staff, Task, Unit
from units.selectors import manages_tasks_of, staff_of

logger = logging.getLogger(__name__)


def save_tracked(
    obj: models.Model,
    *,
    by,
    reason: str,
    update_fields: Iterable[str] | None = None,
    validate: bool = True,
) -> models.Model:
    """full_clean() then save(), recording `by` and `reason` in the object's history (if any)."""
    if validate:
        exclude = None
        if update_fields is not None:
            exclude = {f.name for f in obj._meta.concrete_fields} - set(update_fields)
        obj.full_clean(exclude=exclude)
    obj._history_user = by
    obj._change_reason = reason
    obj.save(update_fields=list(update_fields) if update_fields is not None else None)
    return obj


@transaction.atomic
def save_staff(*, staff: Staff, by) -> Staff:
    """Create or update a staff member; the authority always follows the unit."""
    staff.authority_id = staff.unit.authority_id
    return save_tracked(staff, by=by, reason="saved")


@transaction.atomic
def save_unit(*, unit: Unit, by) -> Unit:
    """Create or update a unit."""
    return save_tracked(unit, by=by, reason="saved")


def notify(
    *,
    users: Iterable,
    subject: str,
    body: str = "",
    url: str = "",
    key: str = "",
    email: bool = True,
) -> list[Notification]:
    """Tell each user something: an in-app notification, and an email after the transaction
    commits (so nothing is mailed about a change that was rolled back). With a `key`, a user who
    already got that key is skipped, which makes repeated runs (cron) send each notice once.
    Returns the notifications created."""
    created = []
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        if key and Notification.objects.filter(user=user, key=key).exists():
            continue
        notification = Notification.objects.create(
            user=user, subject=subject[:200], body=body, url=url, key=key
        )
        created.append(notification)
        if email and user.email:
            transaction.on_commit(
                partial(_send_email, to=user.email, subject=subject, body=body, url=url)
            )
    return created


def _send_email(*, to: str, subject: str, body: str, url: str) -> None:
    link = f"\n\n{settings.SITE_URL}{url}" if url else ""
    message = EmailMessage(subject=f"[Kỷ cương] {subject}", body=f"{body}{link}", to=[to])
    try:
        mail.mailers.default.send_messages([message])
    except OSError:
        # A mail server outage must not undo the change; the in-app notice is already there.
        logger.exception("Could not email %s", to)


@transaction.atomic
def mark_notifications_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when `ids` is None)."""
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


# --- tasks ---------------------------------------------------------------------------------------


class TaskError(Exception):
    """A task change the rules do not allow; the message is shown to the user."""


def _locked_task(task: Task) -> Task:
    return Task.objects.select_for_update().select_related("unit", "assignee").get(pk=task.pk)


def _check_assignee(task: Task, by) -> None:
    own = staff_of(by)
    if own is None or own.pk != task.assignee_id:
        raise TaskError(_("Only the person the task is assigned to can report on it."))


def _check_manager(task: Task, by) -> None:
    if not manages_tasks_of(by, task.unit):
        raise TaskError(_("Only the unit head or a delegated deputy can review this task."))
    own = staff_of(by)
    if own is not None and own.pk == task.assignee_id:
        raise TaskError(_("You cannot review a task assigned to yourself."))


@transaction.atomic
def assign_task(
    *,
    assignee: Staff,
    title: str,
    expected_result: str,
    due_date: datetime.date,
    by,
    description: str = "",
) -> Task:
    """Assign a task to one active person of a unit the user manages (a unit head, or a deputy
    with Staff.assigns_tasks), and tell them. Raise PermissionDenied outside those units and
    ValidationError for bad input (a due date in the past, an inactive person)."""
    if not manages_tasks_of(by, assignee.unit):
        raise PermissionDenied
    errors = {}
    if not assignee.is_active:
        errors["assignee"] = _("This person no longer works here.")
    if due_date < timezone.localdate():
        errors["due_date"] = _("The due date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    task = Task(
        unit=assignee.unit,
        assignee=assignee,
        assigned_by=by,
        title=title.strip(),
        description=description.strip(),
        expected_result=expected_result.strip(),
        due_date=due_date,
    )
    save_tracked(task, by=by, reason="assigned")
    notify(
        users=[assignee.user],
        subject=_("New task: %(title)s") % {"title": task.title},
        body=_("Due %(due)s. Expected result: %(result)s")
        % {"due": f"{task.due_date:%d/%m/%Y}", "result": task.expected_result},
        url=task.get_absolute_url(),
        key=f"task-assigned:{task.pk}",
    )
    return task


@transaction.atomic
def report_task_progress(*, task: Task, by, note: str = "") -> Task:
    """The assignee takes up the task or reports progress (status `in_progress`). Raise
    TaskError for someone else's task or a task that is handed in or accepted."""
    task = _locked_task(task)
    _check_assignee(task, by)
    if task.status not in Task.PENDING_STATUSES:
        raise TaskError(_("This task is already completed; progress can no longer be reported."))
    fields = ["status", "progress_note"]
    if task.started_at is None:
        task.started_at = timezone.now()
        fields.append("started_at")
    task.status = Task.Status.IN_PROGRESS
    task.progress_note = note.strip()
    return save_tracked(task, by=by, reason="progress", update_fields=fields)


@transaction.atomic
def complete_task(*, task: Task, by, note: str) -> Task:
    """The assignee hands the task in with a note on what was done (status `submitted`); the
    person who assigned it is told. Raise TaskError for someone else's task or one already
    handed in, ValidationError without a note."""
    task = _locked_task(task)
    _check_assignee(task, by)
    if task.status not in Task.PENDING_STATUSES:
        raise TaskError(_("This task has already been completed."))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say what was done.")})
    now = timezone.now()
    task.status = Task.Status.SUBMITTED
    task.completion_note = note
    task.submitted_at = now
    fields = ["status", "completion_note", "submitted_at"]
    if task.started_at is None:
        task.started_at = now
        fields.append("started_at")
    save_tracked(task, by=by, reason="submitted", update_fields=fields)
    notify(
        users=[task.assigned_by],
        subject=_("Task completed: %(title)s") % {"title": task.title},
        body=_("%(name)s reports: %(note)s") % {"name": task.assignee, "note": note},
        url=task.get_absolute_url(),
    )
    return task


def _review(task: Task, *, by, accepted: bool, note: str) -> Task:
    task = _locked_task(task)
    _check_manager(task, by)
    if task.status != Task.Status.SUBMITTED:
        raise TaskError(_("Only a completed task awaiting review can be accepted or returned."))
    note = note.strip()
    if not accepted and not note:
        raise ValidationError({"note": _("Say why the task is returned and what is missing.")})
    task.status = Task.Status.ACCEPTED if accepted else Task.Status.RETURNED
    task.review_note = note
    task.reviewed_at = timezone.now()
    save_tracked(
        task,
        by=by,
        reason="accepted" if accepted else "returned",
        update_fields=["status", "review_note", "reviewed_at"],
    )
    subject = _("Task accepted: %(title)s") if accepted else _("Task returned: %(title)s")
    notify(
        users=[task.assignee.user],
        subject=subject % {"title": task.title},
        body=note,
        url=task.get_absolute_url(),
    )
    return task


@transaction.atomic
def accept_task(*, task: Task, by, note: str = "") -> Task:
    """The unit head (or deputy) accepts a completed task. Raise TaskError when it is not
    awaiting review, when the user does not manage its unit, or reviews their own task."""
    return _review(task, by=by, accepted=True, note=note)


@transaction.atomic
def return_task(*, task: Task, by, note: str) -> Task:
    """The unit head (or deputy) returns a completed task for more work, saying why; it is with
    the assignee again (and overdue if past its due date)."""
    return _review(task, by=by, accepted=False, note=note)


# --- work diaries ------------------------------------------------------------------------------


class DiaryError(Exception):
    """A diary change the rules do not allow; the message is shown to the user."""


def _diary_author(by) -> Staff:
    own = staff_of(by)
    if own is None:
        raise PermissionDenied
    return own


def _check_diary_task(task: Task | None, author: Staff) -> None:
    if task is not None and task.assignee_id != author.pk:
        raise ValidationError({"task": _("You can only write against your own tasks.")})


@transaction.atomic
def write_diary_entry(*, by, text: str, task: Task | None = None) -> DiaryEntry:
    """Add an entry to the user's own work diary for today (local date). The day is never
    chosen: a diary filled in afterwards would be no evidence of anything."""
    author = _diary_author(by)
    _check_diary_task(task, author)
    now = timezone.now()
    entry = DiaryEntry(
        staff=author,
        day=timezone.localdate(now),
        text=text.strip(),
        task=task,
        created_by=by,
        created_at=now,
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def edit_diary_entry(*, entry: DiaryEntry, by, text: str, task: Task | None = None) -> DiaryEntry:
    """Change the text (and task) of one of the user's own entries, on the day it was written.
    Raise DiaryError afterwards: from the next day on, only a correction can be added."""
    entry = DiaryEntry.objects.select_for_update().get(pk=entry.pk)
    author = _diary_author(by)
    if entry.staff_id != author.pk:
        raise DiaryError(_("You can only change your own diary."))
    if not entry.editable_today:
        raise DiaryError(
            _("An entry can be edited only on the day it was written; add a correction instead.")
        )
    _check_diary_task(task, author)
    entry.text = text.strip()
    entry.task = task
    entry.edited_at = timezone.now()
    entry.full_clean()
    entry.save(update_fields=["text", "task", "edited_at"])
    return entry


@transaction.atomic
def correct_diary_entry(*, entry: DiaryEntry, by, text: str) -> DiaryEntry:
    """Append a correction to one of the user's own earlier entries: a new entry for the same
    day pointing at the original, whose text stays untouched. Raise DiaryError for someone
    else's entry, or for today's entry (which can still simply be edited)."""
    entry = DiaryEntry.objects.select_for_update().get(pk=entry.pk)
    author = _diary_author(by)
    if entry.staff_id != author.pk:
        raise DiaryError(_("You can only correct your own diary."))
    original = entry.corrects if entry.corrects_id else entry
    if entry.editable_today:
        raise DiaryError(_("Today's entry can still be edited; no correction is needed."))
    correction = DiaryEntry(
        staff=author,
        day=original.day,
        text=text.strip(),
        task=original.task,
        corrects=original,
        created_by=by,
    )
    correction.full_clean()
    correction.save()
    return correction
