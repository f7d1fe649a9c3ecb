import pytest
from django.core import mail
from django.urls import reverse

from tests.helpers import count_queries
from units.models import Notification
from units.services import notify


@pytest.fixture
def with_email(inspector, unit_head_a):
    for user in (inspector, unit_head_a):
        user.email = f"{user.username}@example.test"
        user.save()


def test_notify_creates_in_app_notice_and_emails_after_commit(
    unit_head_a, with_email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[unit_head_a], subject="Vi phạm mới", body="Có 1 vi phạm", url="/x/")
    assert Notification.objects.get(user=unit_head_a).subject == "Vi phạm mới"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["head_a@example.test"]
    assert "/x/" in mail.outbox[0].body


def test_notify_with_key_sends_each_notice_once(
    unit_head_a, with_email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[unit_head_a], subject="Quá hạn", key="overdue:1")
        notify(users=[unit_head_a], subject="Quá hạn", key="overdue:1")
    assert Notification.objects.filter(user=unit_head_a).count() == 1
    assert len(mail.outbox) == 1


def test_notify_skips_inactive_users(unit_head_a):
    unit_head_a.is_active = False
    unit_head_a.save()
    assert notify(users=[unit_head_a], subject="x") == []


def test_notification_list_shows_only_own(client, unit_head_a, unit_head_b):
    notify(users=[unit_head_a], subject="Của A", email=False)
    notify(users=[unit_head_b], subject="Của B", email=False)
    client.force_login(unit_head_a)
    response = client.get(reverse("units:notification_list"))
    assert "Của A" in response.text
    assert "Của B" not in response.text


def test_open_marks_read_and_follows_link(client, unit_head_a):
    (notice,) = notify(users=[unit_head_a], subject="x", url="/violations/1/", email=False)
    client.force_login(unit_head_a)
    response = client.post(reverse("units:notification_open", args=[notice.pk]))
    assert response.status_code == 302
    assert response.url == "/violations/1/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_open_refuses_foreign_links(client, unit_head_a):
    (notice,) = notify(users=[unit_head_a], subject="x", url="https://evil.example/", email=False)
    client.force_login(unit_head_a)
    response = client.post(reverse("units:notification_open", args=[notice.pk]))
    assert response.url == reverse("units:notification_list")


def test_cannot_open_someone_elses_notification(client, unit_head_a, unit_head_b):
    (notice,) = notify(users=[unit_head_b], subject="x", email=False)
    client.force_login(unit_head_a)
    assert client.post(reverse("units:notification_open", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_open_needs_post(client, unit_head_a):
    (notice,) = notify(users=[unit_head_a], subject="x", email=False)
    client.force_login(unit_head_a)
    assert client.get(reverse("units:notification_open", args=[notice.pk])).status_code == 405


def test_read_all_and_bell_count(client, unit_head_a):
    notify(users=[unit_head_a], subject="một", email=False)
    notify(users=[unit_head_a], subject="hai", email=False)
    client.force_login(unit_head_a)
    assert client.get(reverse("home")).context["unread_notifications"] == 2
    client.post(reverse("units:notification_read_all"))
    assert Notification.objects.unread().count() == 0


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("units:notification_list"))
    assert response.status_code == 302


def test_notification_list_query_count_is_pinned(client, unit_head_a):
    client.force_login(unit_head_a)
    notify(users=[unit_head_a], subject="x", email=False)
    small = count_queries(client, reverse("units:notification_list"))
    for n in range(30):
        notify(users=[unit_head_a], subject=f"x{n}", email=False)
    large = count_queries(client, reverse("units:notification_list"))
    assert (small, large) == (6, 6)
