"""The test run's environment: production-like settings (DEBUG off) over plain HTTP, with
uploads in a throw-away folder. Only environment defaults are set here; everything else comes
from discipline/settings.py, so tests exercise the real configuration."""

import os
import tempfile

os.environ.setdefault("DJANGO_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DJANGO_HTTPS", "false")
os.environ.setdefault("DJANGO_MEDIA_ROOT", tempfile.mkdtemp(prefix="kycuong-media-"))
os.environ.setdefault("EMAIL_URL", "consolemail://")
# The second factor is tested on its own (tests/discipline/test_login_protection.py); other
# tests log personas in without it.
os.environ.setdefault("DJANGO_OTP_ROLES", "")

from discipline.settings import *  # noqa: F403

# Fast hashing: tests log in often.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The manifest needs collectstatic; tests serve static files as they are.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
