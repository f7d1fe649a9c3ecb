"""State changes of inspection visits."""

import datetime
import ipaddress
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from inspections.models import Feedback, Visit
from units.models import Staff, Unit
from units.selectors import unit_head_users, units_visible_to
from units.services import notify, save_tracked

# The public form accepts this many submissions from one network address per window; the
# next one is refused. Counted in the database, so it holds across server processes.
FEEDBACK_LIMIT = 5
FEEDBACK_WINDOW = datetime.timedelta(hours=1)


class VisitError(Exception):
    """A visit state change the rules do not allow; the message is shown to the user."""


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
    if not units_visible_to(by).filter(pk=unit.pk).exists():
        raise PermissionDenied
    team = list(team)
    for member in [lead_inspector, *team]:
        if member.authority_id != unit.authority_id:
            raise ValidationError(
                {"team": _("%(name)s does not work for this authority.") % {"name": member}}
            )
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
