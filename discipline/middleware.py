"""Session lifetime, the second factor and the security log, applied to every request."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from discipline.security import log_event
from units.selectors import roles_of

LOGIN_AT = "kc_login_at"
SEEN_AT = "kc_seen_at"
# Re-stamp "last seen" at most this often, so most requests do not write the session.
SEEN_RESOLUTION = 60


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose English with the switch (the language cookie).

    The browser's Accept-Language is ignored: offices often run browsers set up in English, and
    the official wording of the product (statuses, letter kinds, legal terms) is Vietnamese."""

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class SessionTimeoutMiddleware:
    """End a session after SESSION_IDLE_TIMEOUT seconds without a request, and in any case
    SESSION_COOKIE_AGE seconds after login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.setdefault(LOGIN_AT, now)
            seen_at = session.get(SEEN_AT, now)
            idle = now - seen_at > settings.SESSION_IDLE_TIMEOUT
            if idle or now - login_at > settings.SESSION_COOKIE_AGE:
                log_event("session_expired", user=user, idle=idle)
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
                return redirect(f"{reverse('login')}?next={request.path}")
            if SEEN_AT not in session or now - seen_at > SEEN_RESOLUTION:
                session[SEEN_AT] = now
        return self.get_response(request)


def second_factor_required(user) -> bool:
    required = set(settings.OTP_REQUIRED_ROLES)
    if not required:
        return False
    return bool(user.is_superuser or roles_of(user) & required)


class SecondFactorMiddleware:
    """Users whose role needs a second factor reach nothing but the one-time-code pages (and
    logout, language switch, static files) until they have entered a valid code."""

    ALLOWED = ("otp_verify", "otp_setup", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and second_factor_required(user)
            and not self._allowed(request)
        ):
            from django_otp import user_has_device

            target = "otp_verify" if user_has_device(user) else "otp_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

    def _allowed(self, request) -> bool:
        match = getattr(request, "resolver_match", None)
        path = request.path_info
        if path.startswith(settings.STATIC_URL):
            return True
        allowed = [reverse(name) for name in self.ALLOWED]
        return path in allowed or (match is not None and match.url_name in self.ALLOWED)


class SecurityLogMiddleware:
    """Log permission denials (403) and not-found answers to logged-in users (404: rows out of
    their scope look exactly like rows that do not exist, which is the point)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404) and not getattr(response, "kc_logged", False):
            user = getattr(request, "user", None)
            if response.status_code == 403 or (user is not None and user.is_authenticated):
                log_event(
                    "permission_denied" if response.status_code == 403 else "not_found",
                    user=user,
                    method=request.method,
                    path=request.path[:300],
                    status=response.status_code,
                )
        return response
