"""The security log: one JSON line per security-relevant event, times in UTC, users by id only
(no names, passwords, IP addresses or other personal data), safe against log injection because
every value goes through json.dumps."""

import datetime
import json
import logging
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("kycuong.security")


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind our own reverse proxy the address the
    proxy appended last to X-Forwarded-For (earlier entries are the client's to forge)."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


def attempted_username(request, credentials) -> str:
    """The user name a login attempt typed, as django-axes records it: no longer than a user
    name can be (150), so an absurdly long one counts as an attempt instead of overflowing the
    attempt table's column (a server error on PostgreSQL)."""
    from django.contrib.auth import get_user_model

    field = get_user_model().USERNAME_FIELD
    value = (credentials or {}).get(field) or (request.POST.get(field) if request else None)
    return str(value or "")[:150]


def log_event(event: str, *, user=None, user_id: int | None = None, **fields) -> None:
    """Write one JSON line. `fields` must hold ids and codes, never personal data."""
    if user is not None and getattr(user, "is_authenticated", False):
        user_id = user.pk
    record = {
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
        "event": event,
        "user_id": user_id,
        **fields,
    }
    logger.info(json.dumps(record, ensure_ascii=True, sort_keys=True, default=str))


@receiver(user_logged_in, dispatch_uid="kycuong-security-login")
def _logged_in(sender, request, user, **kwargs):
    # Start the session clocks (discipline.middleware.SessionTimeoutMiddleware) at login.
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session["kc_login_at"] = now
        request.session["kc_seen_at"] = now
    log_event("login_succeeded", user=user)


@receiver(user_login_failed, dispatch_uid="kycuong-security-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # The username typed may be a person's name: log only whether it names an account.
    from django.contrib.auth import get_user_model

    username = (credentials or {}).get("username") or ""
    known = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
    log_event("login_failed", user_id=known)
