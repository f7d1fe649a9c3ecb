"""Formal disciplinary decisions: the service's checks, the admin, the list and detail pages,
and the legal clocks on the violation page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from discipline import services
from discipline.models import Decision
from tests import factories
from tests.discipline.conftest import standing_violation


def decide(staff, violations, *, by, form="reprimand", number="12/QĐ-UBND", decided_on=None):
    return services.record_decision(
        staff=staff,
        form=form,
        number=number,
        decided_on=decided_on or timezone.localdate(),
        decided_by="Chủ tịch UBND huyện Vĩnh Hưng",
        signer_name="Nguyễn Văn Thành",
        signer_position="Chủ tịch",
        violations=violations,
        by=by,
    )


@pytest.fixture
def person_a(unit_a):
    return factories.staff(unit_a, full_name="Trần Thị Kỷ")


@pytest.fixture
def offence(person_a, inspector):
    return standing_violation(person_a, by=inspector, days_ago=20)


@pytest.fixture
def decision(person_a, offence, administrator):
    return decide(person_a, [offence], by=administrator)


# --- the service ------------------------------------------------------------------------------


def test_administrator_records_a_decision_with_history(decision, person_a, offence, unit_a):
    assert decision.authority_id == person_a.authority_id
    assert decision.unit == unit_a
    assert decision.year == timezone.localdate().year
    assert list(decision.violations.all()) == [offence]
    record = decision.history.latest()
    assert record.history_change_reason == "recorded"
    assert record.history_user.username == "admin_a"
    # The history keeps which violations the decision concerned.
    assert [v.violation_id for v in record.violations.all()] == [offence.pk]
    assert list(offence.decisions.all()) == [decision]


def test_decision_refuses_a_future_date(person_a, offence, administrator):
    with pytest.raises(ValidationError) as error:
        decide(
            person_a,
            [offence],
            by=administrator,
            decided_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert error.value.message_dict["decided_on"] == ["Ngày quyết định không được ở tương lai."]
    assert not Decision.objects.exists()


def test_decision_refuses_another_persons_violation(
    person_a, offence, unit_a, inspector, administrator
):
    other = standing_violation(factories.staff(unit_a, full_name="Lê Văn Khác"), by=inspector)
    with pytest.raises(ValidationError) as error:
        decide(person_a, [offence, other], by=administrator)
    (message,) = error.value.message_dict["violations"]
    assert "không phải là vi phạm của Trần Thị Kỷ" in message
    assert not Decision.objects.exists()


def test_decision_refuses_a_violation_that_does_not_stand(person_a, inspector, administrator):
    disputed = standing_violation(person_a, by=inspector, status="disputed")
    with pytest.raises(ValidationError) as error:
        decide(person_a, [disputed], by=administrator)
    assert "chưa được xác định" in error.value.message_dict["violations"][0]


def test_decision_refuses_no_violation(person_a, administrator):
    with pytest.raises(ValidationError) as error:
        decide(person_a, [], by=administrator)
    assert error.value.message_dict["violations"] == [
        "Quyết định phải liên quan đến ít nhất một vi phạm."
    ]


def test_decision_number_is_unique_per_authority_and_year(
    decision, person_a, inspector, administrator
):
    again = standing_violation(person_a, by=inspector)
    with pytest.raises(ValidationError) as error:
        decide(person_a, [again], by=administrator)
    assert "đã có quyết định mang số này" in " ".join(error.value.messages)
    # The same number in another year is another decision.
    last_year = timezone.localdate().replace(year=timezone.localdate().year - 1, day=1)
    old = standing_violation(person_a, by=inspector, days_ago=400)
    assert decide(person_a, [old], by=administrator, decided_on=last_year).year == last_year.year


def test_same_number_in_another_authority_is_allowed(
    decision, other_unit, other_inspector, other_administrator
):
    stranger = factories.staff(other_unit)
    offence = standing_violation(stranger, by=other_inspector)
    assert decide(stranger, [offence], by=other_administrator).number == decision.number


def test_only_record_decision_permission_records(person_a, offence, inspector, leader):
    for user in (inspector, leader):
        with pytest.raises(PermissionDenied):
            decide(person_a, [offence], by=user)


def test_administrator_of_another_authority_cannot_decide(person_a, offence, other_administrator):
    with pytest.raises(PermissionDenied):
        decide(person_a, [offence], by=other_administrator)


def test_correct_decision_keeps_the_previous_version(decision, administrator):
    services.correct_decision(
        decision=decision,
        by=administrator,
        violations=list(decision.violations.all()),
        number="13/QĐ-UBND",
        form="warning",
    )
    decision.refresh_from_db()
    assert (decision.number, decision.form) == ("13/QĐ-UBND", "warning")
    numbers = [h.number for h in decision.history.order_by("history_date", "history_id")]
    assert numbers[0] == "12/QĐ-UBND" and numbers[-1] == "13/QĐ-UBND"


def test_extend_handling_limit(offence, administrator, inspector):
    services.extend_handling_limit(violation=offence, by=administrator)
    offence.refresh_from_db()
    assert offence.handling_extended
    assert offence.history.first().history_change_reason == "extended"
    with pytest.raises(services.ViolationError):
        services.extend_handling_limit(violation=offence, by=administrator)
    with pytest.raises(PermissionDenied):
        services.extend_handling_limit(violation=offence, by=inspector)


# --- the admin --------------------------------------------------------------------------------


def _admin_post(person, violations, **overrides):
    data = {
        "staff": person.pk,
        "form": "warning",
        "number": "21/QĐ-UBND",
        "decided_on": timezone.localdate().strftime("%d/%m/%Y"),
        "decided_by": "Chủ tịch UBND huyện",
        "signer_name": "Nguyễn Văn Thành",
        "signer_position": "Chủ tịch",
        "violations": [v.pk for v in violations],
        "notes": "",
    }
    data.update(overrides)
    return data


def test_admin_records_a_decision_through_the_service(client, administrator, person_a, offence):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:discipline_decision_add"), _admin_post(person_a, [offence])
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    decision = Decision.objects.get()
    assert decision.recorded_by == administrator
    assert list(decision.violations.all()) == [offence]
    assert decision.history.latest().history_change_reason == "recorded"


def test_admin_shows_refusals_next_to_the_fields(
    client, administrator, decision, person_a, unit_a, inspector
):
    other = standing_violation(factories.staff(unit_a), by=inspector)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:discipline_decision_add"),
        _admin_post(
            person_a,
            [other],
            number=decision.number,
            decided_on=(timezone.localdate() + datetime.timedelta(days=2)).strftime("%d/%m/%Y"),
        ),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "không phải là vi phạm" in errors["violations"][0]
    assert errors["decided_on"] == ["Ngày quyết định không được ở tương lai."]
    assert Decision.objects.count() == 1


def test_admin_number_clash_is_shown_on_the_number(
    client, administrator, decision, person_a, inspector
):
    again = standing_violation(person_a, by=inspector)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:discipline_decision_add"),
        _admin_post(person_a, [again], number=decision.number),
    )
    assert response.status_code == 200
    assert "đã có quyết định mang số này" in response.context["adminform"].form.errors["number"][0]


def test_leader_cannot_add_decisions_in_the_admin(client, leader):
    client.force_login(leader)
    assert client.get(reverse("admin:discipline_decision_add")).status_code == 403


# --- the pages --------------------------------------------------------------------------------


def test_decision_list_shows_the_authoritys_decisions(client, leader, decision):
    client.force_login(leader)
    response = client.get(reverse("discipline:decision_list"))
    assert response.status_code == 200
    assert decision.number in response.content.decode()
    assert "Khiển trách" in response.content.decode()


def test_decision_list_filters(client, leader, decision):
    client.force_login(leader)
    url = reverse("discipline:decision_list")
    assert list(client.get(url, {"form": "warning"}).context["page_obj"]) == []
    assert list(client.get(url, {"form": "reprimand"}).context["page_obj"]) == [decision]
    assert list(client.get(url, {"year": decision.year - 1}).context["page_obj"]) == []


def test_unit_head_sees_only_their_units_decisions(client, unit_head_a, unit_head_b, decision):
    client.force_login(unit_head_b)
    assert list(client.get(reverse("discipline:decision_list")).context["page_obj"]) == []
    assert client.get(decision.get_absolute_url()).status_code == 404
    client.force_login(unit_head_a)
    assert client.get(decision.get_absolute_url()).status_code == 200


def test_decision_of_another_authority_is_404(client, other_inspector, decision):
    client.force_login(other_inspector)
    assert client.get(decision.get_absolute_url()).status_code == 404


def test_decision_list_filter_by_unit_out_of_scope_is_404(client, unit_head_b, unit_a):
    client.force_login(unit_head_b)
    response = client.get(reverse("discipline:decision_list"), {"unit": unit_a.pk})
    assert response.status_code == 404


def test_staff_without_role_may_not_see_decisions(client, staff_member, decision):
    client.force_login(staff_member)
    assert client.get(reverse("discipline:decision_list")).status_code == 403
    assert client.get(decision.get_absolute_url()).status_code == 403


def test_decision_pages_refuse_post(client, leader, decision):
    client.force_login(leader)
    assert client.post(reverse("discipline:decision_list")).status_code == 405
    assert client.post(decision.get_absolute_url()).status_code == 405


def test_decision_page_shows_the_clocks_of_its_violations(client, inspector, decision):
    client.force_login(inspector)
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Thời hạn xử lý kỷ luật (90 ngày)" in page
    # A reprimand: only the 5-year limitation period applies.
    assert "Thời hiệu xử lý kỷ luật ở mức khiển trách (5 năm)" in page
    assert "10 năm" not in page
    assert "trong thời hạn" in page


def test_violation_page_shows_days_left_and_its_decisions(client, inspector, offence, decision):
    client.force_login(inspector)
    page = client.get(offence.get_absolute_url()).content.decode()
    assert decision.number in page
    assert "Thời hạn xử lý kỷ luật (90 ngày)" in page


def test_violation_page_without_decision_counts_days_left(client, inspector, offence):
    client.force_login(inspector)
    page = client.get(offence.get_absolute_url()).content.decode()
    # Recorded today (not at a visit): detected today, 90 days left.
    assert "còn 90 ngày" in page
    assert "(5 năm)" in page and "(10 năm)" in page


def test_violation_page_says_when_the_handling_limit_expired(client, inspector, person_a):
    old = standing_violation(person_a, by=inspector, days_ago=200)
    # Recorded 100 days ago (auto_now_add is set on insert): the 90-day limit ran out 10 days ago.
    type(old).objects.filter(pk=old.pk).update(
        recorded_at=timezone.now() - datetime.timedelta(days=100)
    )
    client.force_login(inspector)
    page = client.get(old.get_absolute_url()).content.decode()
    assert "đã hết hạn 10 ngày trước" in page


def _decisions(n, unit, inspector, administrator, start):
    for i in range(n):
        person = factories.staff(unit)
        decide(
            person,
            [standing_violation(person, by=inspector)],
            by=administrator,
            number=f"{start + i}/QĐ-UBND",
        )


def test_decision_list_query_count_does_not_grow_with_rows(
    client, leader, unit_a, inspector, administrator, django_assert_num_queries
):
    _decisions(2, unit_a, inspector, administrator, 1)
    client.force_login(leader)
    url = reverse("discipline:decision_list")
    client.get(url)  # warm the session and caches
    with django_assert_num_queries(PINNED_DECISION_LIST):
        client.get(url)
    _decisions(6, unit_a, inspector, administrator, 10)
    with django_assert_num_queries(PINNED_DECISION_LIST):
        response = client.get(url)
    assert len(response.context["page_obj"]) == 8


PINNED_DECISION_LIST = 7


def test_admin_action_extends_the_handling_limit(client, administrator, offence):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:discipline_violation_changelist"),
        {"action": "extend_handling_selected", "_selected_action": [offence.pk]},
    )
    assert response.status_code == 302
    offence.refresh_from_db()
    assert offence.handling_extended
    page = client.get(offence.get_absolute_url()).content.decode()
    assert "Thời hạn xử lý kỷ luật (150 ngày, đã kéo dài)" in page


def test_inspector_has_no_extend_action(client, inspector, offence):
    client.force_login(inspector)
    response = client.post(
        reverse("admin:discipline_violation_changelist"),
        {"action": "extend_handling_selected", "_selected_action": [offence.pk]},
    )
    offence.refresh_from_db()
    assert not offence.handling_extended
    assert response.status_code in (200, 302)
