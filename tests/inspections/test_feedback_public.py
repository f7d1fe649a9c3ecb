"""The public feedback page: no login, no JavaScript, and hardened against abuse."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inspections import services
from inspections.models import Feedback
from tests import factories

SCRIPT = "<script>alert('x')</script>"


def form_url(unit) -> str:
    return reverse("inspections:feedback_form", args=[unit.feedback_token])


def post(client, unit, *, address="203.0.113.7", **overrides):
    data = {"category": "attitude", "text": "Cán bộ nói chuyện thiếu tôn trọng.", "staff": ""}
    data.update(overrides)
    return client.post(form_url(unit), data, REMOTE_ADDR=address)


def test_anyone_opens_the_page_without_logging_in(client, unit_a):
    factories.staff(unit_a, full_name="Lê Thị Mai", position="Công chức Một cửa")
    gone = factories.staff(unit_a, full_name="Trần Văn Nghỉ", is_active=False)
    response = client.get(form_url(unit_a))
    assert response.status_code == 200
    assert unit_a.name in response.text
    assert "Khen ngợi" in response.text
    assert "Lê Thị Mai — Công chức Một cửa" in response.text
    assert gone.full_name not in response.text
    assert '<html lang="vi">' in response.text


def test_page_works_without_javascript(client, unit_a):
    """No script at all on the page: it is a plain form that posts and redirects."""
    response = client.get(form_url(unit_a))
    assert "<script" not in response.text
    assert 'method="post"' in response.text
    response = post(client, unit_a)
    assert response.status_code == 302
    assert response.url == reverse("inspections:feedback_thanks", args=[unit_a.feedback_token])
    assert "Xin cảm ơn" in client.get(response.url).text


def test_submission_is_stored_with_a_hash_not_the_address(client, unit_a):
    official = factories.staff(unit_a)
    post(client, unit_a, staff=official.pk, contact="0909 000 111", category="praise")
    item = Feedback.objects.get()
    assert (item.unit, item.staff, item.category, item.status) == (
        unit_a,
        official,
        "praise",
        "new",
    )
    assert item.contact == "0909 000 111"
    assert "203.0.113.7" not in item.sender_hash
    assert len(item.sender_hash) == 64


def test_csrf_is_enforced(unit_a):
    strict = Client(enforce_csrf_checks=True)
    response = post(strict, unit_a)
    assert response.status_code == 403
    assert not Feedback.objects.exists()
    page = strict.get(form_url(unit_a))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    assert post(strict, unit_a, csrfmiddlewaretoken=token).status_code == 302


def test_unknown_token_and_inactive_unit_are_404(client, unit_a):
    assert client.get(reverse("inspections:feedback_form", args=["khongcoma"])).status_code == 404
    unit_a.is_active = False
    unit_a.save()
    assert client.get(form_url(unit_a)).status_code == 404


def test_wrong_method_is_405(client, unit_a):
    assert client.put(form_url(unit_a)).status_code == 405
    thanks = reverse("inspections:feedback_thanks", args=[unit_a.feedback_token])
    assert client.post(thanks).status_code == 405


def test_official_of_another_unit_is_refused(client, unit_a, unit_b):
    stranger = factories.staff(unit_b)
    response = post(client, unit_a, staff=stranger.pk)
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_missing_text_and_category_get_messages_next_to_the_fields(client, unit_a):
    response = post(client, unit_a, text="", category="")
    assert response.status_code == 400
    assert response.text.count('class="error"') >= 2
    assert not Feedback.objects.exists()


def test_the_sixth_submission_from_one_address_within_the_window_is_refused(client, unit_a, unit_b):
    for _ in range(services.FEEDBACK_LIMIT):
        assert post(client, unit_a).status_code == 302
    refused = post(client, unit_b, text="Lần thứ sáu")
    assert refused.status_code == 429
    assert "một giờ" in refused.text
    assert "Lần thứ sáu" in refused.text  # what they typed is kept on the page
    assert Feedback.objects.count() == services.FEEDBACK_LIMIT
    # Another address is not affected.
    assert post(client, unit_a, address="198.51.100.9").status_code == 302


def test_the_limit_counts_only_the_window(client, unit_a):
    for _ in range(services.FEEDBACK_LIMIT):
        post(client, unit_a)
    old = timezone.now() - services.FEEDBACK_WINDOW - datetime.timedelta(minutes=1)
    Feedback.objects.update(submitted_at=old)
    assert post(client, unit_a).status_code == 302


def test_the_limit_is_counted_in_the_database_not_in_one_process(unit_a):
    """Submissions stored by other server processes count: the limit reads the table."""
    hashed = services.sender_hash("203.0.113.7")
    for _ in range(services.FEEDBACK_LIMIT):
        factories.feedback(unit_a, sender_hash=hashed)
    assert post(Client(), unit_a).status_code == 429


def test_ipv6_senders_count_by_their_64_network():
    assert services.sender_hash("2001:db8:1:2::1") == services.sender_hash("2001:db8:1:2:ffff::9")
    assert services.sender_hash("2001:db8:1:2::1") != services.sender_hash("2001:db8:1:3::1")
    assert services.sender_hash("::ffff:203.0.113.7") == services.sender_hash("203.0.113.7")


def test_behind_a_proxy_the_last_forwarded_hop_is_the_sender(client, unit_a, settings):
    settings.BEHIND_PROXY = True
    for n in range(services.FEEDBACK_LIMIT):
        response = client.post(
            form_url(unit_a),
            {"category": "delay", "text": "Chờ lâu"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.7",
        )
        assert response.status_code == 302
    refused = client.post(
        form_url(unit_a),
        {"category": "delay", "text": "Chờ lâu"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7",
    )
    assert refused.status_code == 429
    # Another citizen behind the same proxy is not blocked.
    other = client.post(
        form_url(unit_a),
        {"category": "delay", "text": "Chờ lâu"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert other.status_code == 302


def test_honeypot_rejects_bots_silently(client, unit_a):
    response = post(client, unit_a, website="http://spam.example")
    assert response.status_code == 302  # the bot learns nothing
    assert not Feedback.objects.exists()


def test_honeypot_is_hidden_from_people(client, unit_a):
    text = client.get(form_url(unit_a)).text
    assert re.search(r'<div class="hp" aria-hidden="true">.*name="website"', text, re.S)
    assert 'tabindex="-1"' in text


def test_text_longer_than_5000_characters_is_refused(client, unit_a):
    response = post(client, unit_a, text="a" * 5001)
    assert response.status_code == 400
    assert not Feedback.objects.exists()
    assert post(client, unit_a, contact="9" * 201).status_code == 400


def test_5000_characters_of_script_tags_are_stored_and_shown_as_text(client, unit_a, inspector):
    payload = (SCRIPT * (5000 // len(SCRIPT) + 1))[:5000]
    assert len(payload) == 5000
    assert post(client, unit_a, text=payload, contact=SCRIPT).status_code == 302
    item = Feedback.objects.get()
    assert item.text == payload
    client.force_login(inspector)
    for url in (item.get_absolute_url(), reverse("inspections:feedback_list")):
        page = client.get(url).text
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_submitting_with_an_official_and_praise_through_the_service(unit_a):
    official = factories.staff(unit_a)
    item = services.submit_feedback(
        unit=unit_a, category="praise", text="Tận tình", sender="203.0.113.8", staff=official
    )
    assert item.staff == official


def test_service_refuses_an_inactive_official(unit_a):
    gone = factories.staff(unit_a, is_active=False)
    with pytest.raises(Exception) as error:
        services.submit_feedback(
            unit=unit_a, category="praise", text="x", sender="203.0.113.8", staff=gone
        )
    assert "staff" in error.value.message_dict
