import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import User
from django.urls import reverse

from discipline.models import EscalationRule, Letter, ViolationType
from tests import factories
from tests.discipline.conftest import standing_violation


def admin_url(model: str, action: str, *args) -> str:
    return reverse(f"admin:discipline_{model}_{action}", args=args)


def test_issued_letter_is_read_only_in_the_admin(client, chief, issued):
    client.force_login(chief)
    page = client.get(admin_url("letter", "change", issued.pk))
    assert page.status_code == 200
    assert "01/UBND-VP" in page.text
    response = client.post(admin_url("letter", "change", issued.pk), {"body": "Sửa trong admin./."})
    assert response.status_code == 403
    assert Letter.objects.get(pk=issued.pk).body == issued.body


def test_letters_cannot_be_added_or_deleted_in_the_admin(client, chief, issued):
    client.force_login(chief)
    assert client.get(admin_url("letter", "add")).status_code == 403
    assert client.get(admin_url("letter", "delete", issued.pk)).status_code == 403


def test_letter_history_is_shown_with_who_did_it(client, chief, issued):
    client.force_login(chief)
    response = client.get(admin_url("letter", "history", issued.pk))
    assert response.status_code == 200
    assert "issued" in response.text and "drafted" in response.text


def test_unit_head_sees_only_letters_addressed_to_them_in_the_admin(
    client, unit_head_a, unit_head_b, issued, draft
):
    client.force_login(unit_head_b)
    assert client.get(admin_url("letter", "change", issued.pk)).status_code == 404
    client.force_login(unit_head_a)
    assert client.get(admin_url("letter", "change", issued.pk)).status_code == 200
    listed = client.get(admin_url("letter", "changelist")).context["cl"].result_list
    assert list(listed) == [issued]


def test_office_chief_edits_an_escalation_rule_but_cannot_delete_it(client, chief):
    rule = EscalationRule.objects.get(letter_kind="self_review")
    client.force_login(chief)
    response = client.post(
        admin_url("escalationrule", "change", rule.pk),
        {
            "name": rule.name,
            "scope": "person",
            "category": "",
            "threshold": 4,
            "window_days": 180,
            "letter_kind": "self_review",
            "is_active": "on",
            "sort_order": 10,
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.threshold, rule.window_days) == (4, 180)
    assert client.get(admin_url("escalationrule", "delete", rule.pk)).status_code == 403


def test_a_rule_with_zero_threshold_is_refused(client, chief):
    rule = EscalationRule.objects.get(letter_kind="self_review")
    client.force_login(chief)
    response = client.post(
        admin_url("escalationrule", "change", rule.pk),
        {
            "name": rule.name,
            "scope": "person",
            "threshold": 0,
            "window_days": 0,
            "letter_kind": "self_review",
            "sort_order": 10,
        },
    )
    assert response.status_code == 200
    assert EscalationRule.objects.get(pk=rule.pk).threshold == 3


def test_with_several_authorities_only_the_keeper_changes_shared_catalogues(
    client, chief, other_administrator
):
    """Escalation rules, violation types and checklist items belong to no Authority: once the
    installation serves two, neither one's staff may rewrite what the other's letters cite."""
    rule = EscalationRule.objects.get(letter_kind="self_review")
    violation_type = ViolationType.objects.get(code="late_early")
    pages = [
        admin_url("escalationrule", "change", rule.pk),
        admin_url("violationtype", "change", violation_type.pk),
        admin_url("violationtype", "add"),
        reverse("admin:inspections_checklistitem_add"),
    ]
    for user in (chief, other_administrator):
        client.force_login(user)
        assert client.post(pages[0], {"name": "x", "threshold": 1}).status_code == 403
        assert [client.get(page).status_code for page in pages] == [200, 200, 403, 403]
    assert EscalationRule.objects.get(pk=rule.pk).name == rule.name
    keeper = User.objects.create_superuser("keeper", password="correct-horse-battery-455")
    client.force_login(keeper)
    assert [client.get(page).status_code for page in pages] == [200, 200, 200, 200]


def test_unit_head_cannot_change_rules(client, unit_head_a):
    rule = EscalationRule.objects.first()
    client.force_login(unit_head_a)
    assert client.get(admin_url("escalationrule", "change", rule.pk)).status_code == 403


def _action(client, user, violations, **extra):
    client.force_login(user)
    data = {
        "action": "draft_letter_selected",
        ACTION_CHECKBOX_NAME: [v.pk for v in violations],
        **extra,
    }
    return client.post(admin_url("violation", "changelist"), data)


def test_chief_drafts_a_letter_from_violations_selected_in_the_admin(
    client, chief, unit_a, inspector
):
    violations = [standing_violation(factories.staff(unit_a), by=inspector) for _ in range(2)]
    confirm = _action(client, chief, violations)
    assert confirm.status_code == 200
    assert "Soạn công văn" in confirm.text
    response = _action(client, chief, violations, apply="1", kind="rectification")
    letter = Letter.objects.get()
    assert response.url == reverse("discipline:letter_edit", args=[letter.pk])
    assert (letter.kind, letter.status) == ("rectification", "draft")
    assert sorted(letter.violations.values_list("pk", flat=True)) == sorted(
        v.pk for v in violations
    )


def test_admin_action_refuses_violations_that_do_not_stand(client, chief, unit_a, inspector):
    violation = standing_violation(factories.staff(unit_a), by=inspector, status="notified")
    response = _action(client, chief, [violation], apply="1", kind="reminder")
    assert response.status_code == 302
    assert not Letter.objects.exists()
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("chỉ được nêu vi phạm" in m for m in messages)


@pytest.mark.parametrize("persona", ["inspector", "unit_head_a"])
def test_draft_letter_action_is_only_offered_to_the_office_chief(
    client, request, persona, violation_a, chief
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(admin_url("violation", "changelist"))
    assert "draft_letter_selected" not in response.text
    client.force_login(chief)
    response = client.get(admin_url("violation", "changelist"))
    assert "draft_letter_selected" in response.text
