import os
import subprocess
import sys
from pathlib import Path

import polib
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def _settings_run(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import discipline.settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT)",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = _settings_run({"DJANGO_DEBUG": "false"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_defaults_are_secure():
    result = _settings_run({"DJANGO_SECRET_KEY": "x" * 50})
    assert result.stdout.split() == ["False", "True"]


def test_debug_runs_without_a_secret_key():
    assert _settings_run({"DJANGO_DEBUG": "true"}).returncode == 0


def test_every_response_has_the_security_headers(client, db):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_vietnamese_catalogue_is_complete_and_compiled():
    po_path = ROOT / "discipline/locale/vi/LC_MESSAGES/django.po"
    po = polib.pofile(str(po_path))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    # Keyed by context too: "In progress" of a visit and of a task are different entries.
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in mo}
    missing = [
        e.msgid
        for e in po.translated_entries()
        if not e.msgid_plural and compiled.get((e.msgctxt, e.msgid)) != e.msgstr
    ]
    assert missing == [], "django.mo is stale: run `make messages`"


def test_deploy_check_is_clean_under_production_settings(tmp_path):
    """What `make check` runs in CI, also in the suite: HTTPS, HSTS, Secure cookies, a real
    key, DEBUG off. (Django 6.1's deploy check opens the database: give it a scratch one.)"""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "EMAIL_"))
    }
    env = {
        **clean,
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "true",
        "DJANGO_ALLOWED_HOSTS": "kycuong.example",
        "DJANGO_SECRET_KEY": "deploy-check-" + "k7Vq2xZp9LmR4tWb8NcY3hJd6FgS1aE5" * 2,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _manage(*args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_offline_commands_run_without_the_secret_but_nothing_that_serves_does():
    """`makemigrations --check` on a CI machine needs no production secret; `migrate` (which
    runs the app's code against real data) and `runserver` still refuse without one."""
    offline = _manage("makemigrations", "--check", "--dry-run")
    assert offline.returncode == 0, offline.stderr
    assert "No changes detected" in offline.stdout
    for command in (["migrate", "--plan"], ["check"]):
        refused = _manage(*command)
        assert refused.returncode != 0
        assert "DJANGO_SECRET_KEY is not set" in refused.stderr
