"""State changes of inspection visits: plan, start, mark the roll, answer the checklist, cancel.
Finishing a visit turns findings into violations, so it lives in discipline.services."""

import datetime
import ipaddress
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from inspections.models import ChecklistAnswer, ChecklistItem, Feedback, RollEntry, Visit
from units.models import Staff, Unit
from units.selectors import unit_head_users, units_visible_to
from units.services import notify, save_tracked

# The public form accepts this many submissions from one network address per window; the
# next one is refused. Counted in the database, so it holds across server processes.
FEEDBACK_LIMIT = 5
FEEDBACK_WINDOW = datetime.timedelta(hours=1)


class VisitError(Exception):
    """A visit state change the rules do not allow; the message is shown to the user."""


def check_scope(by, unit: Unit) -> None:
    """Refuse (PermissionDenied) a change to a unit the user does not see."""
    if not units_visible_to(by).filter(pk=unit.pk).exists():
        raise PermissionDenied


def lock_visit(visit: Visit) -> Visit:
    """The visit's row, locked for the rest of the transaction, so that marking, finishing and
    cancelling one visit happen one after another."""
    return Visit.objects.select_for_update().select_related("unit__authority").get(pk=visit.pk)


def _check_team(unit: Unit, members: Iterable[Staff]) -> None:
    for member in members:
        if member.authority_id != unit.authority_id:
            raise ValidationError(
                {"team": _("%(name)s does not work for this authority.") % {"name": member}}
            )


@transaction.atomic
def plan_visit(
    *,
    unit: Unit,
    kind: str,
    planned_date: datetime.date,
    lead_inspector: Staff,
    by,
    team: Iterable[Staff] = (),
    summary: str = "",
) -> Visit:
    """Plan a visit of `unit`. The lead inspector and team must belong to the unit's Authority."""
    check_scope(by, unit)
    team = list(team)
    _check_team(unit, [lead_inspector, *team])
    visit = Visit(
        unit=unit,
        kind=kind,
        planned_date=planned_date,
        lead_inspector=lead_inspector,
        summary=summary,
        created_by=by,
    )
    save_tracked(visit, by=by, reason="planned")
    if team:
        visit.team.set(team)
    return visit


@transaction.atomic
def change_visit_plan(
    *,
    visit: Visit,
    by,
    kind: str,
    planned_date: datetime.date,
    lead_inspector: Staff,
    team: Iterable[Staff],
    summary: str = "",
) -> Visit:
    """Change what was planned for a visit that is not finished or cancelled."""
    locked = lock_visit(visit)
    check_scope(by, locked.unit)
    if not locked.is_open:
        raise VisitError(_("A finished or cancelled visit cannot be changed."))
    team = list(team)
    _check_team(locked.unit, [lead_inspector, *team])
    locked.kind, locked.planned_date = kind, planned_date
    locked.lead_inspector, locked.summary = lead_inspector, summary
    save_tracked(
        locked,
        by=by,
        reason="edited",
        update_fields=["kind", "planned_date", "lead_inspector", "summary"],
    )
    locked.team.set(team)
    return locked


@transaction.atomic
def start_visit(*, visit: Visit, by, started_at: datetime.datetime | None = None) -> Visit:
    """Start a planned visit: stamp the time, put every active staff member of the unit on the
    roll as present, and open an unanswered checklist of the active items.

    `started_at` defaults to now; an earlier time records a visit run on paper and typed in
    afterwards. Raise VisitError unless the visit is planned, ValidationError for a future time.
    """
    locked = lock_visit(visit)
    check_scope(by, locked.unit)
    if locked.status != Visit.Status.PLANNED:
        raise VisitError(_("Only a planned visit can be started."))
    started_at = started_at or timezone.now()
    if started_at > timezone.now():
        raise ValidationError({"started_at": _("The start of a visit cannot be in the future.")})
    locked.status = Visit.Status.IN_PROGRESS
    locked.started_at = started_at
    save_tracked(locked, by=by, reason="started", update_fields=["status", "started_at"])
    staff = Staff.objects.active().filter(unit=locked.unit).order_by("full_name", "pk")
    bulk_create_with_history(
        [RollEntry(visit=locked, staff=person) for person in staff],
        RollEntry,
        default_user=by,
        default_change_reason="started",
    )
    bulk_create_with_history(
        [
            ChecklistAnswer(visit=locked, item=item)
            for item in ChecklistItem.objects.filter(is_active=True)
        ],
        ChecklistAnswer,
        default_user=by,
        default_change_reason="started",
    )
    visit.status, visit.started_at = locked.status, locked.started_at
    return locked


def _check_in_progress(visit: Visit) -> None:
    if visit.status != Visit.Status.IN_PROGRESS:
        raise VisitError(
            _("This visit is not in progress: its roll and checklist can no longer be changed.")
        )


@transaction.atomic
def add_roll_entry(*, visit: Visit, staff: Staff, by) -> RollEntry:
    """Put one more staff member of the inspected unit on the roll of a visit in progress
    (someone who joined the unit after the visit started). Raise ValidationError for a person
    of another unit or one already on the roll."""
    locked = lock_visit(visit)
    check_scope(by, locked.unit)
    _check_in_progress(locked)
    entry = RollEntry(visit=locked, staff=staff)
    return save_tracked(entry, by=by, reason="added")


def _minute(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(second=0, microsecond=0)


@transaction.atomic
def mark_roll_entry(
    *,
    entry: RollEntry,
    by,
    presence: str,
    arrived_at: datetime.datetime | None = None,
    badge_worn: bool = True,
    dress_proper: bool = True,
    alcohol_suspected: bool = False,
    note: str = "",
) -> RollEntry:
    """Record what the inspector saw of one person. The whole mark is sent each time, so a mark
    resent after a dropped connection gives the same result.

    A late arrival needs its time, no earlier than the visit's start and not in the future (to
    the minute: the inspector types hours and minutes). Badge, dress and alcohol are only seen
    on someone who is there: for a person away they are cleared. Raise VisitError when the visit
    is not in progress, ValidationError for bad input; nothing is saved then."""
    locked = lock_visit(entry.visit)
    check_scope(by, locked.unit)
    _check_in_progress(locked)
    entry = RollEntry.objects.select_for_update().get(pk=entry.pk, visit=locked)
    entry.visit = locked
    entry.presence = presence
    entry.note = (note or "").strip()
    if presence == RollEntry.Presence.LATE:
        if arrived_at is None:
            raise ValidationError(
                {"arrived_at": _("Enter the arrival time of a person marked late.")}
            )
        if arrived_at < _minute(locked.started_at):
            raise ValidationError(
                {
                    "arrived_at": _("The arrival time is before the visit started (%(start)s).")
                    % {"start": f"{timezone.localtime(locked.started_at):%H:%M}"}
                }
            )
        if _minute(arrived_at) > timezone.now():
            raise ValidationError({"arrived_at": _("The arrival time cannot be in the future.")})
        entry.arrived_at = arrived_at
    else:
        entry.arrived_at = None
    entry.badge_worn, entry.dress_proper = bool(badge_worn), bool(dress_proper)
    entry.alcohol_suspected = bool(alcohol_suspected)
    if not entry.is_there:
        entry.badge_worn, entry.dress_proper, entry.alcohol_suspected = True, True, False
    return save_tracked(
        entry,
        by=by,
        reason="marked",
        update_fields=[
            "presence",
            "arrived_at",
            "badge_worn",
            "dress_proper",
            "alcohol_suspected",
            "note",
            "updated_at",
        ],
    )


@transaction.atomic
def answer_checklist(*, answer: ChecklistAnswer, by, value: str, note: str = "") -> ChecklistAnswer:
    """Answer one checklist item of a visit in progress (yes / no / not checked, with a note)."""
    locked = lock_visit(answer.visit)
    check_scope(by, locked.unit)
    _check_in_progress(locked)
    answer = ChecklistAnswer.objects.select_for_update().get(pk=answer.pk, visit=locked)
    answer.answer = value
    answer.note = (note or "").strip()
    return save_tracked(
        answer, by=by, reason="answered", update_fields=["answer", "note", "updated_at"]
    )


@transaction.atomic
def cancel_visit(*, visit: Visit, by, reason: str) -> Visit:
    """Cancel a planned visit or one in progress, keeping it with the reason. Its roll, if any,
    is frozen as it was. Raise VisitError for a finished or cancelled visit or an empty reason."""
    locked = lock_visit(visit)
    check_scope(by, locked.unit)
    if not locked.is_open:
        raise VisitError(_("A finished or cancelled visit cannot be cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise VisitError(_("Give a reason for cancelling the visit."))
    locked.status = Visit.Status.CANCELLED
    locked.cancel_reason = reason
    save_tracked(locked, by=by, reason="cancelled", update_fields=["status", "cancel_reason"])
    visit.status, visit.cancel_reason = locked.status, locked.cancel_reason
    return locked


# --- citizen feedback ----------------------------------------------------------------------------


class FeedbackError(Exception):
    """A feedback change the rules do not allow; the message is shown to the user."""


class TooManySubmissions(FeedbackError):
    """The sender's address reached the limit of the window."""


def sender_hash(address: str) -> str:
    """A keyed hash of a network address (never stored in clear). An IPv6 address counts by
    its /64 network, which one phone may rotate through."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        key = "unknown"
    else:
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        key = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    return salted_hmac("kycuong.feedback.sender", key, algorithm="sha256").hexdigest()


@transaction.atomic
def submit_feedback(
    *,
    unit: Unit,
    category: str,
    text: str,
    sender: str,
    staff: Staff | None = None,
    contact: str = "",
) -> Feedback:
    """Store what a citizen reported on the public page. `sender` is their network address: at
    most FEEDBACK_LIMIT submissions per FEEDBACK_WINDOW are accepted from one address, and the
    next raise TooManySubmissions. Raise ValidationError for bad input (an official who does
    not work at the unit, text too long)."""
    if not unit.is_active:
        raise ValidationError(_("This unit no longer receives feedback."))
    if staff is not None and (staff.unit_id != unit.pk or not staff.is_active):
        raise ValidationError({"staff": _("This official does not work at the selected unit.")})
    hashed = sender_hash(sender)
    if connection.vendor == "postgresql":
        # Serialise submissions from one address so that simultaneous requests cannot all slip
        # under the limit (SQLite serialises writers by itself).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(hashed[:15], 16)])
    now = timezone.now()
    recent = Feedback.objects.filter(sender_hash=hashed, submitted_at__gt=now - FEEDBACK_WINDOW)
    if recent.count() >= FEEDBACK_LIMIT:
        raise TooManySubmissions(
            _(
                "You have already sent %(limit)d messages within the last hour. Please try "
                "again later, or tell the unit's reception desk in person."
            )
            % {"limit": FEEDBACK_LIMIT}
        )
    feedback = Feedback(
        unit=unit,
        staff=staff,
        category=category,
        text=text.strip(),
        contact=contact.strip(),
        sender_hash=hashed,
        submitted_at=now,
    )
    feedback.full_clean()
    feedback.save()
    return feedback


def claim_feedback_for_triage(*, feedback: Feedback, by) -> Feedback:
    """Lock an untriaged item for one triage, inside the caller's transaction. Raise
    PermissionDenied without the triage permission or outside the user's units, FeedbackError
    if it was triaged already (each item is triaged once)."""
    if not by.has_perm("inspections.triage_feedback"):
        raise PermissionDenied
    feedback = Feedback.objects.select_for_update().select_related("unit").get(pk=feedback.pk)
    if not units_visible_to(by).filter(pk=feedback.unit_id).exists():
        raise PermissionDenied
    if feedback.status != Feedback.Status.NEW:
        raise FeedbackError(_("This feedback has already been triaged."))
    return feedback


def _close_triage(feedback: Feedback, *, by, status: str, note: str) -> Feedback:
    feedback.status = status
    feedback.triaged_by = by
    feedback.triaged_at = timezone.now()
    feedback.triage_note = note
    feedback.full_clean()
    feedback.save(update_fields=["status", "triaged_by", "triaged_at", "triage_note"])
    return feedback


@transaction.atomic
def forward_feedback(*, feedback: Feedback, by, note: str = "") -> Feedback:
    """Send an item to the unit's head (in-app notice and email) for them to deal with."""
    feedback = claim_feedback_for_triage(feedback=feedback, by=by)
    feedback = _close_triage(
        feedback, by=by, status=Feedback.Status.FORWARDED, note=(note or "").strip()
    )
    body = feedback.text
    if feedback.triage_note:
        body = _("Inspector's note: %(note)s") % {"note": feedback.triage_note} + "\n\n" + body
    notify(
        users=unit_head_users(feedback.unit),
        subject=_("Citizen feedback about %(unit)s: %(category)s")
        % {"unit": feedback.unit, "category": feedback.get_category_display()},
        body=body,
        url=feedback.get_absolute_url(),
        key=f"feedback-forwarded:{feedback.pk}",
    )
    return feedback


@transaction.atomic
def dismiss_feedback(*, feedback: Feedback, by, reason: str) -> Feedback:
    """Close an item without action, with the reason (spam, not about this unit, …)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for dismissing this feedback.")})
    feedback = claim_feedback_for_triage(feedback=feedback, by=by)
    return _close_triage(feedback, by=by, status=Feedback.Status.DISMISSED, note=reason)


def mark_feedback_turned_into_violation(*, feedback: Feedback, by) -> Feedback:
    """Record, inside the caller's transaction, that a claimed item became a violation
    (discipline.services.record_violation_from_feedback does the whole step)."""
    return _close_triage(feedback, by=by, status=Feedback.Status.VIOLATION, note="")
