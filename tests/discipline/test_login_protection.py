import datetime
import json
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def post_login(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def security_events(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "kycuong.security"]


# --- lockout -----------------------------------------------------------------------------------


def test_fifth_failure_locks_the_username_and_address_pair_with_a_vietnamese_message(
    client, inspector
):
    for _ in range(4):
        assert post_login(client, "inspector", "sai").status_code == 200
    response = post_login(client, "inspector", "sai")
    assert response.status_code == 429
    assert "15 phút" in response.text
    # Even the right password is refused while locked.
    response = post_login(client, "inspector", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, inspector, unit_head_a):
    for _ in range(5):
        post_login(client, "inspector", "sai", ip="10.0.0.1")
    assert post_login(Client(), "inspector", PASSWORD, ip="10.0.0.2").status_code == 302
    assert post_login(Client(), "head_a", PASSWORD, ip="10.0.0.1").status_code == 302


def test_lockout_ends_after_fifteen_minutes(client, inspector):
    for _ in range(5):
        post_login(client, "inspector", "sai")
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16)
    )
    assert post_login(client, "inspector", PASSWORD).status_code == 302


# --- passwords and sessions ----------------------------------------------------------------------


def test_password_validators_refuse_weak_passwords(db):
    with pytest.raises(ValidationError):
        validate_password("12345678")


def test_session_is_cycled_at_login(client, inspector):
    client.get(LOGIN)
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    post_login(client, "inspector", PASSWORD)
    assert client.cookies["sessionid"].value != before


def _age_session(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_idle_session_ends_after_thirty_minutes(client, inspector):
    client.force_login(inspector)
    _age_session(client, kc_seen_at=29 * 60)
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, kc_seen_at=31 * 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302


def test_session_ends_ten_hours_after_login_even_when_active(client, inspector):
    client.force_login(inspector)
    _age_session(client, kc_login_at=10 * 3600 + 1, kc_seen_at=10)
    assert client.get(reverse("home")).status_code == 302


def test_deactivating_a_user_ends_their_sessions(client, inspector):
    client.force_login(inspector)
    assert client.get(reverse("home")).status_code == 200
    inspector.is_active = False
    inspector.save()
    assert client.get(reverse("home")).status_code == 302


def test_changing_password_ends_other_sessions(client, inspector):
    other = Client()
    other.force_login(inspector)
    client.force_login(inspector)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "một-mật-khẩu-mới-455",
            "new_password2": "một-mật-khẩu-mới-455",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert other.get(reverse("home")).status_code == 302


# --- second factor -------------------------------------------------------------------------------


@pytest.fixture
def otp_on(settings):
    settings.OTP_REQUIRED_ROLES = ["administrators", "office_chief"]


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_office_chief_must_enrol_then_verify_a_second_factor(client, office_chief, otp_on):
    post_login(client, "chief", PASSWORD)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("otp_setup"))
    page = client.get(response.url)
    assert "<svg" in page.text  # the QR code
    device = TOTPDevice.objects.get(user=office_chief, confirmed=False)
    refused = client.post(reverse("otp_setup"), {"code": "000000"})
    assert "không hợp lệ" in refused.text
    device.refresh_from_db()
    device.throttle_reset()  # a failure throttles the next try for a second (django-otp)
    assert client.post(reverse("otp_setup"), {"code": _code(device)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    # Next login asks for a code from the enrolled device.
    fresh = Client()
    post_login(fresh, "chief", PASSWORD)
    response = fresh.get(reverse("home"))
    assert response.url.startswith(reverse("otp_verify"))
    device.refresh_from_db()
    device.last_t = -1  # allow reusing the current time step in this test
    device.save()
    fresh.post(reverse("otp_verify"), {"code": _code(device)})
    assert fresh.get(reverse("home")).status_code == 200


def test_unverified_office_chief_reaches_neither_pages_nor_admin(client, office_chief, otp_on):
    post_login(client, "chief", PASSWORD)
    for url in [reverse("home"), "/admin/", reverse("units:notification_list")]:
        assert client.get(url).status_code == 302


def test_inspector_needs_no_second_factor_unless_the_setting_says_so(
    client, inspector, otp_on, settings
):
    post_login(client, "inspector", PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    settings.OTP_REQUIRED_ROLES = ["inspectors"]
    assert client.get(reverse("home")).status_code == 302


# --- security log --------------------------------------------------------------------------------


def test_security_log_records_logins_failures_and_lockouts_without_personal_data(
    client, inspector, caplog
):
    caplog.set_level("INFO", logger="kycuong.security")
    post_login(client, "inspector", PASSWORD)
    client.logout()
    for _ in range(5):
        post_login(client, "inspector", "mat-khau-sai")
    events = security_events(caplog)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "login_succeeded" and events[0]["user_id"] == inspector.pk
    assert kinds.count("login_failed") == 5
    assert "login_locked_out" in kinds
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "kycuong.security")
    assert "mat-khau-sai" not in text and "inspector" not in text
    assert all(e["time"].endswith("+00:00") for e in events)


def test_security_log_records_denials_and_scope_404(client, unit_head_a, violation_b, caplog):
    caplog.set_level("INFO", logger="kycuong.security")
    client.force_login(unit_head_a)
    client.get(violation_b.get_absolute_url())
    client.get("/admin/inspections/visit/")
    events = security_events(caplog)
    assert {"not_found", "permission_denied"} <= {e["event"] for e in events}
    assert all(e["user_id"] == unit_head_a.pk for e in events)


def test_security_log_is_safe_against_injection(client, unit_head_a, caplog):
    caplog.set_level("INFO", logger="kycuong.security")
    client.force_login(unit_head_a)
    client.get('/violations/999999/%0A{"event":"forged"}')
    lines = [r.getMessage() for r in caplog.records if r.name == "kycuong.security"]
    assert lines and all("\n" not in line for line in lines)
    assert all(json.loads(line)["event"] != "forged" for line in lines)


def test_csrf_failure_is_refused_clearly_and_logged(db, inspector, caplog):
    caplog.set_level("INFO", logger="kycuong.security")
    client = Client(enforce_csrf_checks=True)
    client.force_login(inspector)
    response = client.post(reverse("units:notification_read_all"))
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.text
    assert "csrf_failure" in [e["event"] for e in security_events(caplog)]
