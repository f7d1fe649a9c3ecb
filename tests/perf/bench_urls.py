"""The application's URLs plus two pages that do nothing of their own, for `make bench`: what
Django itself costs a logged-in request through the same middleware (session, user, roles,
CSRF, second factor, security headers), with no page behind it and with the bare layout.
Only the benchmark's settings use this; the application never serves these paths."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path


def empty(request):
    return HttpResponse("ok", content_type="text/plain")


def layout(request):
    """base.html with nothing in it: the menu, the bell, the language switch."""
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/empty/", empty),
    path("bench/layout/", layout),
    path("", include("discipline.urls")),
]
