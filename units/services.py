"""State changes of the organisation. Every write in the project saves through save_tracked()
so that the history records who changed what and why, whether the change came from a page,
the admin or a command."""

import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.utils import timezone

from units.models import Notification, Staff, Unit

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
