"""The server errors the form fuzzing found (tests/discipline/test_fuzz_forms.py), each pinned by
the plain test that would have caught it."""

import json

import pytest
from django.urls import reverse

from tests import factories
from units.selectors import as_pk

HUGE = str(2**70)


@pytest.mark.parametrize(
    ("value", "pk"),
    [
        ("12", 12),
        (12, 12),
        ("¹", None),
        ("٣", None),
        ("0", None),
        ("-1", None),
        (HUGE, None),
        (str(2**63), None),
        ("", None),
        (None, None),
        (" 1", None),
    ],
)
def test_as_pk_accepts_only_plain_ids(value, pk):
    assert as_pk(value) == pk


def test_planner_with_a_unit_that_is_not_a_number_is_404(client, inspector):
    client.force_login(inspector)
    assert client.post(reverse("inspections:planner_plan"), {"unit": "¹"}).status_code == 404
    assert client.post(reverse("inspections:planner_plan"), {"unit": "x"}).status_code == 404


def test_recording_a_violation_for_a_superscript_unit_is_404(client, inspector):
    client.force_login(inspector)
    response = client.post(reverse("discipline:violation_record"), {"unit": "²"})
    assert response.status_code == 404


def test_notifying_an_id_beyond_any_integer_is_404(client, inspector):
    client.force_login(inspector)
    response = client.post(reverse("discipline:violations_notify"), {"violation": [HUGE]})
    assert response.status_code == 404


def test_admin_action_on_an_id_beyond_any_integer_changes_nothing(client, unit_head_a, violation_a):
    client.force_login(unit_head_a)
    response = client.post(
        reverse("admin:discipline_violation_changelist"),
        {"action": "dispute_selected", "_selected_action": [HUGE, "¹"]},
    )
    assert response.status_code in (200, 302)


def test_roll_mark_json_with_a_boolean_time_is_refused_not_a_crash(client, inspector, unit_a):
    factories.staff(unit_a)
    visit = factories.started_visit(unit_a, by=inspector)
    entry = visit.roll.first()
    client.force_login(inspector)
    url = reverse("inspections:roll_mark", args=[visit.pk, entry.pk])
    for body in ({"presence": "late", "arrived_at": True}, {"note": ["a"]}, {"note": {"a": 1}}):
        response = client.post(
            url,
            json.dumps(body),
            content_type="application/json",
            headers={"accept": "application/json"},
        )
        assert response.status_code == 400, body
    ticked = client.post(
        url,
        json.dumps({"presence": "present", "no_badge": True}),
        content_type="application/json",
        headers={"accept": "application/json"},
    )
    assert ticked.status_code == 200
    entry.refresh_from_db()
    assert entry.badge_worn is False


def test_feedback_summary_at_the_end_of_the_calendar_says_so(client, inspector):
    client.force_login(inspector)
    response = client.get(reverse("inspections:feedback_summary"), {"end": "9999-12-31"})
    assert response.status_code == 200
    assert "2000" in response.text and "2100" in response.text


@pytest.mark.parametrize("unit", ["¹", HUGE])
def test_pages_filtered_by_a_strange_unit_do_not_crash(client, inspector, unit):
    client.force_login(inspector)
    assert client.get(reverse("inspections:feedback_list"), {"unit": unit}).status_code == 200
    assert client.get(reverse("inspections:visit_plan"), {"unit": unit}).status_code == 200
    assert client.get(reverse("units:diary_unit"), {"unit": unit}).status_code in (200, 404)


def test_a_very_long_username_counts_as_a_failed_attempt_not_a_crash(client, db):
    from axes.models import AccessAttempt

    response = client.post("/accounts/login/", {"username": "0" * 5000, "password": "x"})
    assert response.status_code == 200
    # Stored as long as a user name can be: PostgreSQL refused the 5,000 characters (a 500).
    assert [len(a.username) for a in AccessAttempt.objects.all()] == [150]


def test_a_team_member_id_beyond_64_bits_is_refused_not_a_crash(client, inspector, unit_a):
    """Found by the fuzzer in CI: `pk__in` with 2**63 raised OverflowError on SQLite."""
    from inspections.models import Visit

    client.force_login(inspector)
    response = client.post(
        reverse("inspections:visit_plan"),
        {
            "unit": unit_a.pk,
            "kind": "regular",
            "planned_date": "2026-12-01",
            "lead_inspector": inspector.staff.pk,
            "team": [str(2**63)],
            "summary": "x",
        },
    )
    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    assert not Visit.objects.exists()


@pytest.mark.parametrize("name", ["discipline:decision_list", "discipline:evaluation_sheet"])
@pytest.mark.parametrize("unit", ["¹", HUGE, "x"])
def test_decisions_and_evaluation_with_a_strange_unit_are_404(client, leader, name, unit):
    client.force_login(leader)
    assert client.get(reverse(name), {"unit": unit}).status_code == 404
