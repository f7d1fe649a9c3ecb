import base64

import segno
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from discipline import selectors
from discipline.forms import OneTimeCodeForm
from discipline.security import log_event
from units.selectors import roles_of, staff_of


@require_GET
def home(request):
    """The role-aware landing page: what needs this user's attention, with links."""
    user = request.user
    context = {
        "staff": staff_of(user),
        "roles": roles_of(user),
        "counts": selectors.attention_counts(user),
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
