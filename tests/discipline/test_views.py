import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from discipline.models import Evidence
from tests import factories
from tests.helpers import count_queries


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_is_vietnamese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Đăng nhập" in response.text
    assert '<html lang="vi">' in response.text


def test_an_english_browser_still_gets_vietnamese(client, db):
    """Offices often run browsers set up in English: only the switch changes the language."""
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in response.text
    assert "Đăng nhập" in response.text


def test_english_is_one_switch_away(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert "Log in" in client.get(reverse("login")).text


def test_inspector_home_shows_disputes_and_visits(client, inspector, violation_a):
    client.force_login(inspector)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Khiếu nại chờ kết luận" in response.text
    assert response.context["counts"]["recorded"] == 1


def test_unit_head_home_counts_only_own_unit(client, unit_head_a, inspector, unit_a, unit_b):
    from discipline.models import Violation

    for unit in (unit_a, unit_b):
        v = factories.violation(factories.staff(unit), by=inspector)
        Violation.objects.filter(pk=v.pk).update(status="notified")
    client.force_login(unit_head_a)
    response = client.get(reverse("home"))
    assert response.context["counts"]["awaiting_answer"] == 1
    assert "Vi phạm chờ đơn vị trả lời" in response.text


def test_home_rejects_post(client, inspector):
    client.force_login(inspector)
    assert client.post(reverse("home")).status_code == 405


# session, the user with their staff record, their roles with their permissions (one query: see
# units.backends), unread notifications,
# violation counts (the tally by status, overdue answers, upheld awaiting corrective action:
# three queries), own count, and visit counts for the roles that see visits; task counts and
# today's diary (everyone with a Staff record), feedback awaiting triage (inspectors), letter
# counts (roles that read letters).
HOME_QUERIES = {
    "inspector": 12,
    "unit_head_a": 11,
    "office_chief": 12,
    "leader": 12,
    "staff_member": 7,
}


@pytest.mark.parametrize(
    "persona", ["inspector", "unit_head_a", "office_chief", "leader", "staff_member"]
)
def test_home_query_count_does_not_grow_with_rows(client, request, persona, inspector, unit_a):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    factories.violation(factories.staff(unit_a), by=inspector)
    small = count_queries(client, reverse("home"))
    for _ in range(15):
        factories.violation(factories.staff(unit_a), by=inspector)
    large = count_queries(client, reverse("home"))
    assert (small, large) == (HOME_QUERIES[persona],) * 2


def test_violation_page_in_scope(client, unit_head_a, violation_a):
    client.force_login(unit_head_a)
    response = client.get(violation_a.get_absolute_url())
    assert response.status_code == 200
    assert violation_a.staff.full_name in response.text


def test_violation_page_out_of_scope_is_404(client, unit_head_a, violation_b):
    client.force_login(unit_head_a)
    assert client.get(violation_b.get_absolute_url()).status_code == 404


def test_staff_member_sees_own_violation_but_not_colleagues(
    client, staff_member, inspector, unit_a
):
    own = factories.violation(staff_member.staff, by=inspector)
    colleague = factories.violation(factories.staff(unit_a), by=inspector)
    client.force_login(staff_member)
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(colleague.get_absolute_url()).status_code == 404


def _evidence(violation, by):
    return Evidence.objects.create(
        violation=violation,
        file=ContentFile(b"%PDF-1.4 hello", name="a.pdf"),
        original_name="biên bản.pdf",
        content_type="application/pdf",
        size=14,
        sha256="0" * 64,
        uploaded_by=by,
    )


def test_evidence_is_served_as_attachment_to_users_in_scope(
    client, unit_head_a, inspector, violation_a
):
    evidence = _evidence(violation_a, inspector)
    client.force_login(unit_head_a)
    response = client.get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 hello"


def test_evidence_out_of_scope_is_404(client, unit_head_b, inspector, violation_a):
    evidence = _evidence(violation_a, inspector)
    client.force_login(unit_head_b)
    assert client.get(evidence.get_absolute_url()).status_code == 404
