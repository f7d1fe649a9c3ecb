"""Production-like settings for `make bench`: DEBUG off, the real middleware and templates, no
second factor (the benchmark logs in by session), static files served as they are."""

import os

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-secret-key-not-for-production")
os.environ.setdefault("DJANGO_HTTPS", "false")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DJANGO_OTP_ROLES", "")
os.environ.setdefault("EMAIL_URL", "consolemail://")

from discipline.settings import *  # noqa: F403

# The manifest needs collectstatic; the benchmark measures pages, not static files.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The application's URLs and two do-nothing pages the benchmark measures Django's own cost with.
ROOT_URLCONF = "tests.perf.bench_urls"
