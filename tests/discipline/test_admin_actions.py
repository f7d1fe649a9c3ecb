"""The answer workflow as admin actions: the same services, with an intermediate form where
text is needed, and the same permissions and scope."""

import pytest
from django.urls import reverse

from discipline import services
from discipline.models import Violation
from units.models import Notification

S = Violation.Status
CHANGELIST = reverse("admin:discipline_violation_changelist")


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def notified(inspector, unit_head_a, violation_a):
    services.notify_unit_heads(violations=[violation_a], by=inspector)
    violation_a.refresh_from_db()
    return violation_a


@pytest.fixture
def disputed(notified, unit_head_a):
    return services.dispute_violation(violation=notified, by=unit_head_a, explanation="Đi họp.")


def _post(client, action, violations, **data):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [v.pk for v in violations], **data},
    )


def test_notify_action_notifies_the_unit_head(client, inspector, unit_head_a, violation_a):
    response = _post(login(client, inspector), "notify_selected", [violation_a])
    assert response.status_code == 302
    violation_a.refresh_from_db()
    assert violation_a.status == S.NOTIFIED
    assert Notification.objects.filter(user=unit_head_a).exists()


def test_acknowledge_action_asks_for_the_corrective_action(client, unit_head_a, notified):
    login(client, unit_head_a)
    response = _post(client, "acknowledge_selected", [notified])
    assert response.status_code == 200
    assert "corrective_action" in response.context["form"].fields
    _post(client, "acknowledge_selected", [notified], apply="1", corrective_action="")
    notified.refresh_from_db()
    assert notified.status == S.NOTIFIED
    _post(client, "acknowledge_selected", [notified], apply="1", corrective_action="Đã nhắc nhở.")
    notified.refresh_from_db()
    assert (notified.status, notified.corrective_action) == (S.ACKNOWLEDGED, "Đã nhắc nhở.")
    assert notified.history.order_by("-history_id").first().history_user == unit_head_a


def test_dispute_action_records_the_explanation(client, unit_head_a, inspector, notified):
    login(client, unit_head_a)
    _post(client, "dispute_selected", [notified], apply="1", explanation="Có giấy mời họp.")
    notified.refresh_from_db()
    assert (notified.status, notified.explanation) == (S.DISPUTED, "Có giấy mời họp.")
    assert Notification.objects.filter(user=inspector, key=f"disputed:{notified.pk}").exists()


def test_rule_action_records_the_ruling(client, inspector, unit_head_a, disputed):
    login(client, inspector)
    response = _post(client, "rule_selected", [disputed])
    assert {"outcome", "reason"} <= set(response.context["form"].fields)
    _post(client, "rule_selected", [disputed], apply="1", outcome="upheld", reason="Không có giấy.")
    disputed.refresh_from_db()
    assert (disputed.status, disputed.ruling_reason) == (S.UPHELD, "Không có giấy.")
    assert Notification.objects.filter(user=unit_head_a, key=f"ruled:{disputed.pk}").exists()


def test_close_action_closes_and_reports_the_refused_ones(
    client, inspector, unit_head_a, notified, violation_b
):
    services.acknowledge_violation(violation=notified, by=unit_head_a, corrective_action="Xong.")
    login(client, inspector)
    response = _post(client, "close_selected", [notified, violation_b])
    messages = [str(m) for m in response.wsgi_request._messages]
    notified.refresh_from_db()
    violation_b.refresh_from_db()
    assert notified.status == S.CLOSED
    assert violation_b.status == S.RECORDED  # refused: never acknowledged nor upheld
    assert len(messages) == 2


def test_ruling_a_violation_that_was_not_disputed_is_refused_with_a_message(
    client, inspector, notified
):
    login(client, inspector)
    response = _post(client, "rule_selected", [notified], apply="1", outcome="upheld", reason="x")
    assert response.status_code == 302
    notified.refresh_from_db()
    assert notified.status == S.NOTIFIED


@pytest.mark.parametrize(
    ("persona", "action", "data"),
    [
        ("unit_head_a", "rule_selected", {"apply": "1", "outcome": "dismissed", "reason": "x"}),
        ("unit_head_a", "close_selected", {}),
        ("unit_head_a", "notify_selected", {}),
        ("inspector", "acknowledge_selected", {"apply": "1", "corrective_action": "x"}),
        ("inspector", "dispute_selected", {"apply": "1", "explanation": "x"}),
        ("office_chief", "rule_selected", {"apply": "1", "outcome": "dismissed", "reason": "x"}),
    ],
)
def test_actions_need_their_permission(client, request, disputed, persona, action, data):
    login(client, request.getfixturevalue(persona))
    before = Violation.objects.get(pk=disputed.pk).status
    _post(client, action, [disputed], **data)
    assert Violation.objects.get(pk=disputed.pk).status == before


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("inspector", {"notify_selected", "rule_selected", "close_selected", "void_selected"}),
        ("unit_head_a", {"acknowledge_selected", "dispute_selected"}),
        ("office_chief", {"draft_letter_selected"}),
    ],
)
def test_each_role_is_offered_its_actions(client, request, persona, expected, violation_a):
    response = login(client, request.getfixturevalue(persona)).get(CHANGELIST)
    form = response.context["action_form"]  # None when no action is offered at all
    offered = {name for name, _ in form.fields["action"].choices} if form else set()
    assert offered - {""} == expected


def test_unit_head_cannot_act_on_another_units_violation_in_admin(
    client, inspector, unit_head_a, unit_head_b, violation_b
):
    services.notify_unit_heads(violations=[violation_b], by=inspector)
    login(client, unit_head_a)
    _post(client, "acknowledge_selected", [violation_b], apply="1", corrective_action="x")
    violation_b.refresh_from_db()
    assert violation_b.status == S.NOTIFIED
