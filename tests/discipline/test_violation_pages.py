"""The people-facing violation pages: list, inbox, own record, recording, the violation page and
its actions. Every view: success, wrong method, out-of-scope row (404), missing permission (403),
and pinned query counts."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from discipline import services
from discipline.models import Evidence, Violation
from tests import factories
from tests.helpers import count_queries
from units.models import Notification
from units.services import save_tracked

S = Violation.Status
PNG = factories.tiny_png()


def login(client, user):
    client.force_login(user)
    return client


def bring(violation, status, *, inspector, head):
    """Take a recorded violation to `status` through the services."""
    if status == S.RECORDED:
        return violation
    services.notify_unit_heads(violations=[violation], by=inspector)
    if status in (S.DISPUTED, S.UPHELD):
        services.dispute_violation(violation=violation, by=head, explanation="Đi họp.")
        if status == S.UPHELD:
            services.rule_on_violation(
                violation=violation, by=inspector, outcome="upheld", reason="Không có giấy."
            )
    elif status == S.ACKNOWLEDGED:
        services.acknowledge_violation(violation=violation, by=head, corrective_action="Xong.")
    violation.refresh_from_db()
    assert violation.status == status
    return violation


@pytest.fixture
def stranger_violation(other_unit, other_inspector):
    return factories.violation(factories.staff(other_unit), by=other_inspector)


# --- the violation list --------------------------------------------------------------------------

LIST = reverse("discipline:violation_list")


def test_inspector_list_shows_the_whole_authority_newest_first(
    client, inspector, violation_a, violation_b, stranger_violation
):
    rows = list(login(client, inspector).get(LIST).context["page_obj"])
    assert set(rows) == {violation_a, violation_b}
    assert rows == sorted(rows, key=lambda v: (v.occurred_at, v.pk), reverse=True)


def test_unit_head_list_shows_only_their_unit(client, unit_head_a, violation_a, violation_b):
    response = login(client, unit_head_a).get(LIST)
    assert list(response.context["page_obj"]) == [violation_a]
    assert violation_b.staff.full_name not in response.text


@pytest.mark.parametrize("persona", ["office_chief", "leader", "administrator"])
def test_read_only_roles_see_the_authority_in_the_list(
    client, request, persona, violation_a, violation_b
):
    response = login(client, request.getfixturevalue(persona)).get(LIST)
    assert set(response.context["page_obj"]) == {violation_a, violation_b}
    assert not response.context["can_notify"]


def test_list_filters_by_unit_type_category_status_person_and_dates(
    client, inspector, unit_a, unit_b, unit_head_a
):
    person = factories.staff(unit_a)
    now = timezone.now()
    late = factories.violation(person, by=inspector, occurred_at=now - datetime.timedelta(days=3))
    badge = factories.violation(
        person, by=inspector, code="no_badge", occurred_at=now - datetime.timedelta(days=10)
    )
    other = factories.violation(
        factories.staff(unit_b), by=inspector, occurred_at=now - datetime.timedelta(days=3)
    )
    bring(badge, S.NOTIFIED, inspector=inspector, head=unit_head_a)
    login(client, inspector)

    def rows(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200
        return set(response.context["page_obj"])

    assert rows(unit=unit_a.pk) == {late, badge}
    assert rows(unit=unit_b.pk) == {other}
    assert rows(type=factories.violation_type("no_badge").pk) == {badge}
    assert rows(category="badge_dress") == {badge}
    assert rows(category="working_hours") == {late, other}
    assert rows(status="notified") == {badge}
    assert rows(status="recorded") == {late, other}
    assert rows(unit=unit_a.pk, staff=person.pk) == {late, badge}
    day = timezone.localdate(now - datetime.timedelta(days=3))
    assert rows(date_from=day.isoformat(), date_to=day.isoformat()) == {late, other}
    assert rows(date_to=(day - datetime.timedelta(days=1)).isoformat()) == {badge}


def test_list_filter_overdue_and_standing_open(client, inspector, unit_head_a, unit_a):
    overdue, answered = (factories.violation(factories.staff(unit_a), by=inspector) for _ in "ab")
    bring(overdue, S.NOTIFIED, inspector=inspector, head=unit_head_a)
    bring(answered, S.ACKNOWLEDGED, inspector=inspector, head=unit_head_a)
    Violation.objects.filter(pk=overdue.pk).update(
        response_due=timezone.localdate() - datetime.timedelta(days=1)
    )
    login(client, inspector)
    assert list(client.get(LIST, {"status": "overdue"}).context["page_obj"]) == [overdue]
    assert list(client.get(LIST, {"status": "standing_open"}).context["page_obj"]) == [answered]
    assert 'class="overdue"' in client.get(LIST).text


def test_list_rows_link_flag_and_escape(client, inspector, unit_head_a, unit_a):
    # The rows are written in Python (discipline/templatetags/violation_rows.py): the same cells
    # the template wrote, every value escaped.
    person = factories.staff(unit_a, full_name="Lê <b>Văn</b> Tám")
    recorded = factories.violation(person, by=inspector)
    overdue = bring(
        factories.violation(factories.staff(unit_a), by=inspector),
        S.NOTIFIED,
        inspector=inspector,
        head=unit_head_a,
    )
    Violation.objects.filter(pk=overdue.pk).update(
        response_due=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = login(client, inspector).get(LIST).text
    assert "Lê &lt;b&gt;Văn&lt;/b&gt; Tám" in page and "<b>Văn</b>" not in page
    assert f'<input type="checkbox" name="violation" value="{recorded.pk}"' in page
    # Only recorded violations can be notified.
    assert f'name="violation" value="{overdue.pk}"' not in page
    assert f'<a href="{recorded.get_absolute_url()}">' in page
    assert page.count('<tr class="overdue">') == 1
    assert '<span class="status status-overdue">quá hạn</span>' in page
    assert '<span class="status status-recorded">' in page
    empty = client.get(LIST, {"status": "to_act"}).text
    assert '<td colspan="7" class="muted empty">' in empty


def test_list_filter_with_another_authoritys_unit_is_refused(
    client, inspector, other_unit, violation_a
):
    response = login(client, inspector).get(LIST, {"unit": other_unit.pk})
    assert "unit" in response.context["form"].errors
    assert other_unit.name not in response.text


def test_list_person_choices_are_the_chosen_units_staff(client, inspector, unit_a, unit_b):
    ours, theirs = factories.staff(unit_a), factories.staff(unit_b)
    login(client, inspector)
    form = client.get(LIST).context["form"]
    assert list(form.fields["staff"].queryset) == []
    form = client.get(LIST, {"unit": unit_a.pk}).context["form"]
    assert ours in form.fields["staff"].queryset
    assert theirs not in form.fields["staff"].queryset


def test_list_needs_view_permission(client, staff_member):
    assert login(client, staff_member).get(LIST).status_code == 403


def test_list_rejects_post(client, inspector):
    assert login(client, inspector).post(LIST).status_code == 405


def test_list_is_paginated(client, inspector, unit_a):
    person = factories.staff(unit_a)
    for _ in range(27):
        factories.violation(person, by=inspector)
    response = login(client, inspector).get(LIST, {"page": 2})
    assert len(response.context["page_obj"]) == 2
    assert response.context["page_obj"].paginator.count == 27


def _many(unit, inspector, n):
    factories.many_violations(factories.staff(unit), by=inspector, n=n)


@pytest.mark.parametrize(
    ("persona", "params", "expected"),
    [
        # session, user with staff record, roles with permissions, unread bell, capped count,
        # page, unit and type choices (+ person choices once a unit is chosen, + the unit's
        # validation lookup; the chosen type is found among the type choices).
        ("inspector", "", 8),
        ("inspector", "?status=recorded&category=working_hours", 8),
        ("inspector", "?unit={unit}", 10),
        ("unit_head_a", "", 8),
        ("office_chief", "", 8),
    ],
)
def test_list_query_count_does_not_grow_with_rows(
    client, request, inspector, unit_a, persona, params, expected
):
    login(client, request.getfixturevalue(persona))
    url = LIST + params.format(unit=unit_a.pk)
    _many(unit_a, inspector, 5)
    small = count_queries(client, url)
    _many(unit_a, inspector, 195)
    large = count_queries(client, url)
    assert (small, large) == (expected, expected)


# --- bulk notify from the list -------------------------------------------------------------------

BULK = reverse("discipline:violations_notify")


def test_inspector_notifies_the_chosen_recorded_violations(
    client, inspector, unit_head_a, unit_head_b, violation_a, violation_b
):
    response = login(client, inspector).post(
        BULK, {"violation": [violation_a.pk, violation_b.pk], "next": LIST + "?status=recorded"}
    )
    assert response.status_code == 302
    assert response.url == LIST + "?status=recorded"
    for violation in (violation_a, violation_b):
        violation.refresh_from_db()
        assert violation.status == S.NOTIFIED
    assert Notification.objects.filter(user__in=[unit_head_a, unit_head_b]).count() == 2


def test_bulk_notify_ignores_a_foreign_next_url(client, inspector, violation_a):
    response = login(client, inspector).post(
        BULK, {"violation": [violation_a.pk], "next": "https://evil.example/"}
    )
    assert response.url.startswith(LIST)


def test_bulk_notify_with_an_out_of_scope_violation_is_404(
    client, inspector, violation_a, stranger_violation
):
    response = login(client, inspector).post(
        BULK, {"violation": [violation_a.pk, stranger_violation.pk]}
    )
    assert response.status_code == 404
    violation_a.refresh_from_db()
    assert violation_a.status == S.RECORDED


def test_bulk_notify_needs_permission(client, unit_head_a, violation_a):
    assert login(client, unit_head_a).post(BULK, {"violation": [violation_a.pk]}).status_code == 403


def test_bulk_notify_rejects_get(client, inspector):
    assert login(client, inspector).get(BULK).status_code == 405


# --- the unit head's inbox -----------------------------------------------------------------------

INBOX = reverse("discipline:inbox")


def test_inbox_lists_the_units_open_violations_overdue_first_then_newest(
    client, inspector, unit_head_a, unit_a, violation_b
):
    person = factories.staff(unit_a)
    now = timezone.now()
    made = {
        name: factories.violation(
            person, by=inspector, occurred_at=now - datetime.timedelta(days=days)
        )
        for name, days in [("old_late", 20), ("new", 1), ("mid", 5), ("recorded", 2)]
    }
    for name in ("old_late", "new", "mid"):
        bring(made[name], S.NOTIFIED, inspector=inspector, head=unit_head_a)
    Violation.objects.filter(pk=made["old_late"].pk).update(
        response_due=timezone.localdate() - datetime.timedelta(days=3)
    )
    closed = factories.violation(person, by=inspector)
    bring(closed, S.ACKNOWLEDGED, inspector=inspector, head=unit_head_a)
    services.close_violation(violation=closed, by=inspector)
    bring(violation_b, S.NOTIFIED, inspector=inspector, head=None)

    response = login(client, unit_head_a).get(INBOX)
    rows = list(response.context["page_obj"])
    # Not yet notified, closed, and another unit's violations are not in the inbox.
    assert rows == [made["old_late"], made["new"], made["mid"]]
    assert response.text.count('class="overdue"') == 1
    assert (timezone.localdate() - datetime.timedelta(days=3)).strftime("%d/%m/%Y") in response.text


def test_inbox_filters_by_status_type_and_person(client, inspector, unit_head_a, unit_a):
    one, two = factories.staff(unit_a), factories.staff(unit_a)
    late = bring(
        factories.violation(one, by=inspector), S.NOTIFIED, inspector=inspector, head=unit_head_a
    )
    badge = bring(
        factories.violation(two, by=inspector, code="no_badge"),
        S.DISPUTED,
        inspector=inspector,
        head=unit_head_a,
    )
    login(client, unit_head_a)

    def rows(**params):
        return list(client.get(INBOX, params).context["page_obj"])

    assert rows(status="disputed") == [badge]
    assert rows(type=factories.violation_type("late_early").pk) == [late]
    assert rows(staff=two.pk) == [badge]
    # A closed case is not in the inbox: its status is not even a choice there.
    assert "status" in client.get(INBOX, {"status": "closed"}).context["form"].errors


def test_inbox_to_act_shows_upheld_rulings_awaiting_the_corrective_action(
    client, inspector, unit_head_a, violation_a
):
    bring(violation_a, S.UPHELD, inspector=inspector, head=unit_head_a)
    login(client, unit_head_a)
    assert list(client.get(INBOX, {"status": "to_act"}).context["page_obj"]) == [violation_a]
    services.acknowledge_violation(violation=violation_a, by=unit_head_a, corrective_action="Xong.")
    assert list(client.get(INBOX, {"status": "to_act"}).context["page_obj"]) == []


def test_inbox_person_filter_cannot_name_another_units_staff(
    client, unit_head_a, unit_b, violation_a
):
    response = login(client, unit_head_a).get(INBOX, {"staff": factories.staff(unit_b).pk})
    assert "staff" in response.context["form"].errors


@pytest.mark.parametrize("persona", ["inspector", "office_chief", "staff_member"])
def test_inbox_is_for_unit_heads(client, db, request, persona):
    assert login(client, request.getfixturevalue(persona)).get(INBOX).status_code == 403


def test_inbox_rejects_post(client, unit_head_a):
    assert login(client, unit_head_a).post(INBOX).status_code == 405


def test_inbox_query_count_does_not_grow_with_rows(client, inspector, unit_head_a, unit_a):
    login(client, unit_head_a)
    person = factories.staff(unit_a)

    def grow(n):
        factories.many_violations(
            person,
            by=inspector,
            n=n,
            status=S.NOTIFIED,
            notified_at=timezone.now(),
            response_due=timezone.localdate(),
        )

    grow(5)
    small = count_queries(client, INBOX)
    grow(195)
    large = count_queries(client, INBOX)
    # session, user with staff record, roles with permissions, unread bell, count, page, and
    # the type and person choices of the filter.
    assert (small, large) == (8, 8)


# --- a person's own record -----------------------------------------------------------------------

MINE = reverse("discipline:my_record")


def test_staff_member_sees_their_own_record_with_explanation_and_ruling(
    client, inspector, unit_head_a, staff_member, unit_a
):
    own = factories.violation(staff_member.staff, by=inspector)
    bring(own, S.UPHELD, inspector=inspector, head=unit_head_a)
    colleague = factories.violation(factories.staff(unit_a), by=inspector)
    response = login(client, staff_member).get(MINE)
    assert list(response.context["page_obj"]) == [own]
    assert "Đi họp." in response.text and "Không có giấy." in response.text
    assert colleague.staff.full_name not in response.text
    # Read-only: no forms to act on the record, and the violation page offers no action.
    assert '<form method="post" action="/violations/' not in response.text
    page = client.get(own.get_absolute_url())
    assert page.context["actions"] == set()


def test_my_record_without_a_staff_record_is_404(client, django_user_model, db):
    user = django_user_model.objects.create_user("lonely", password="x")
    assert login(client, user).get(MINE).status_code == 404


def test_my_record_rejects_post(client, staff_member):
    assert login(client, staff_member).post(MINE).status_code == 405


def test_my_record_query_count_is_pinned(client, inspector, staff_member):
    login(client, staff_member)
    for _ in range(5):
        factories.violation(staff_member.staff, by=inspector)
    small = count_queries(client, MINE)
    for _ in range(40):
        factories.violation(staff_member.staff, by=inspector)
    large = count_queries(client, MINE)
    assert (small, large) == (7, 7)  # 7th: the access log row


# --- recording a violation outside a visit -------------------------------------------------------

RECORD = reverse("discipline:violation_record")


def _record_payload(staff, **extra):
    when = timezone.localtime(timezone.now() - datetime.timedelta(hours=2))
    return {
        "unit": staff.unit_id,
        "staff": staff.pk,
        "type": factories.violation_type("attitude").pk,
        "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
        "description": "Công dân phản ánh qua đường dây nóng.",
        **extra,
    }


def test_inspector_records_a_violation_with_evidence_and_notifies_the_head(
    client, inspector, unit_head_a, unit_a
):
    person = factories.staff(unit_a)
    photo = SimpleUploadedFile("anh.png", PNG, content_type="image/png")
    response = login(client, inspector).post(
        RECORD, _record_payload(person, evidence=photo, notify="on")
    )
    violation = Violation.objects.get(staff=person)
    assert response.status_code == 302
    assert response.url == violation.get_absolute_url()
    assert violation.status == S.NOTIFIED
    assert violation.source == Violation.Source.OTHER
    assert violation.recorded_by == inspector
    assert Evidence.objects.get(violation=violation).uploaded_by == inspector
    assert Notification.objects.filter(user=unit_head_a).exists()


def test_recording_without_notify_leaves_it_recorded(client, inspector, unit_a):
    person = factories.staff(unit_a)
    login(client, inspector).post(RECORD, _record_payload(person))
    assert Violation.objects.get(staff=person).status == S.RECORDED


def test_record_page_lists_the_chosen_units_active_staff(client, inspector, unit_a, unit_b):
    ours, theirs = factories.staff(unit_a), factories.staff(unit_b)
    gone = factories.staff(unit_a, is_active=False)
    login(client, inspector)
    assert client.get(RECORD).status_code == 200
    choices = client.get(RECORD, {"unit": unit_a.pk}).context["form"].fields["staff"].queryset
    assert ours in choices and theirs not in choices and gone not in choices


def test_recording_in_the_future_is_refused_next_to_the_field(client, inspector, unit_a):
    person = factories.staff(unit_a)
    future = timezone.localtime(timezone.now() + datetime.timedelta(days=1))
    response = login(client, inspector).post(
        RECORD, _record_payload(person, occurred_at=future.strftime("%Y-%m-%dT%H:%M"))
    )
    assert response.status_code == 200
    assert "tương lai" in str(response.context["form"].errors["occurred_at"])
    assert not Violation.objects.exists()


def test_recording_staff_of_another_unit_is_refused(client, inspector, unit_a, unit_b):
    person = factories.staff(unit_b)
    response = login(client, inspector).post(RECORD, {**_record_payload(person), "unit": unit_a.pk})
    assert "staff" in response.context["form"].errors
    assert not Violation.objects.exists()


def test_recording_with_a_fake_image_saves_nothing(client, inspector, unit_a):
    person = factories.staff(unit_a)
    fake = SimpleUploadedFile("anh.png", b"<html>not an image</html>", content_type="image/png")
    response = login(client, inspector).post(
        RECORD, _record_payload(person, evidence=fake, notify="on")
    )
    assert "evidence" in response.context["form"].errors
    assert not Violation.objects.exists()


def test_record_page_for_another_authoritys_unit_is_404(client, inspector, other_unit):
    login(client, inspector)
    assert client.get(RECORD, {"unit": other_unit.pk}).status_code == 404
    person = factories.staff(other_unit)
    assert client.post(RECORD, _record_payload(person)).status_code == 404
    assert not Violation.objects.exists()


@pytest.mark.parametrize("persona", ["unit_head_a", "office_chief", "administrator"])
def test_record_page_needs_permission(client, db, request, persona):
    assert login(client, request.getfixturevalue(persona)).get(RECORD).status_code == 403


def test_record_page_rejects_other_methods(client, inspector):
    assert login(client, inspector).put(RECORD).status_code == 405


# --- the violation page --------------------------------------------------------------------------


def test_violation_page_shows_everything_and_the_timeline(
    client, inspector, unit_head_a, violation_a
):
    bring(violation_a, S.UPHELD, inspector=inspector, head=unit_head_a)
    response = login(client, unit_head_a).get(violation_a.get_absolute_url())
    text = response.text
    for expected in [
        violation_a.staff.full_name,
        violation_a.unit.name,
        "Đi họp.",
        "Không có giấy.",
        timezone.localtime(violation_a.occurred_at).strftime("%H:%M %d/%m/%Y"),
    ]:
        assert expected in text
    steps = [entry.step for entry in response.context["timeline"]]
    assert steps == ["recorded", "notified", "disputed", "upheld"]
    actors = [entry.actor for entry in response.context["timeline"]]
    assert actors == [inspector.staff.full_name] * 2 + [unit_head_a.staff.full_name] + [
        inspector.staff.full_name
    ]
    assert response.context["ruling"] == "upheld"


@pytest.mark.parametrize(
    ("persona", "status", "expected"),
    [
        ("inspector", S.RECORDED, {"notify", "void"}),
        ("inspector", S.NOTIFIED, {"void"}),
        ("inspector", S.DISPUTED, {"rule", "void"}),
        ("inspector", S.UPHELD, {"close", "void"}),
        ("inspector", S.ACKNOWLEDGED, {"close", "void"}),
        ("unit_head_a", S.RECORDED, set()),
        ("unit_head_a", S.NOTIFIED, {"acknowledge", "dispute"}),
        ("unit_head_a", S.DISPUTED, set()),
        ("unit_head_a", S.UPHELD, {"acknowledge"}),
        ("administrator", S.DISPUTED, {"void"}),
        ("office_chief", S.DISPUTED, set()),
        ("leader", S.NOTIFIED, set()),
    ],
)
def test_violation_page_offers_only_the_actions_the_user_may_take(
    client, request, inspector, unit_head_a, violation_a, persona, status, expected
):
    bring(violation_a, status, inspector=inspector, head=unit_head_a)
    response = login(client, request.getfixturevalue(persona)).get(violation_a.get_absolute_url())
    assert response.context["actions"] == expected
    for action in ("notify", "acknowledge", "dispute", "rule", "close", "void"):
        url = reverse(f"discipline:violation_{action}", args=[violation_a.pk])
        assert (url in response.text) is (action in expected), action


def test_violation_page_links_the_visit_for_inspectors_only(client, inspector, unit_head_a, unit_a):
    from inspections.services import plan_visit

    visit = plan_visit(
        unit=unit_a,
        kind="unannounced",
        planned_date=timezone.localdate(),
        lead_inspector=inspector.staff,
        by=inspector,
    )
    violation = factories.violation(
        factories.staff(unit_a), by=inspector, source="visit", visit=visit
    )
    link = reverse("discipline:visit_detail", args=[visit.pk])
    assert link in login(client, inspector).get(violation.get_absolute_url()).text
    assert link not in login(client, unit_head_a).get(violation.get_absolute_url()).text


def test_violation_page_rejects_post(client, inspector, violation_a):
    assert login(client, inspector).post(violation_a.get_absolute_url()).status_code == 405


def test_violation_page_of_another_authority_is_404(client, inspector, stranger_violation):
    assert login(client, inspector).get(stranger_violation.get_absolute_url()).status_code == 404


def test_violation_page_query_count_does_not_grow_with_the_timeline(
    client, inspector, unit_head_a, violation_a
):
    bring(violation_a, S.DISPUTED, inspector=inspector, head=unit_head_a)
    Evidence.objects.create(
        violation=violation_a,
        file=SimpleUploadedFile("a.png", PNG),
        original_name="a.png",
        content_type="image/png",
        size=len(PNG),
        sha256="0" * 64,
        uploaded_by=unit_head_a,
    )
    url = violation_a.get_absolute_url()

    def grow(n):
        for i in range(n):
            violation_a.description = f"Ghi chú {i}"
            save_tracked(violation_a, by=inspector, reason="noted", update_fields=["description"])

    login(client, inspector)
    grow(5 - violation_a.history.count())
    assert violation_a.history.count() == 5
    small = count_queries(client, url)
    grow(195)
    assert violation_a.history.count() == 200
    large = count_queries(client, url)
    # session, user with staff record, roles with permissions, unread bell, the violation with its
    # person, unit, type, visit and recorder, evidence, the timeline with its actors, and the
    # disciplinary decisions concerning it (for the legal clocks), and the access log row.
    assert (small, large) == (9, 9)


# --- actions on the violation page ---------------------------------------------------------------

ACTIONS = {
    # action: (actor, starting status, form data, status after, a user in scope without the
    # permission)
    "notify": ("inspector", S.RECORDED, {}, S.NOTIFIED, "unit_head_a"),
    "acknowledge": (
        "unit_head_a",
        S.NOTIFIED,
        {"corrective_action": "Đã nhắc nhở."},
        S.ACKNOWLEDGED,
        "inspector",
    ),
    "dispute": ("unit_head_a", S.NOTIFIED, {"explanation": "Đi họp."}, S.DISPUTED, "inspector"),
    "rule": (
        "inspector",
        S.DISPUTED,
        {"outcome": "dismissed", "reason": "Có giấy mời."},
        S.DISMISSED,
        "unit_head_a",
    ),
    "close": ("inspector", S.ACKNOWLEDGED, {}, S.CLOSED, "unit_head_a"),
    "void": ("inspector", S.NOTIFIED, {"reason": "Nhầm người."}, S.VOIDED, "office_chief"),
}


def _url(action, violation):
    return reverse(f"discipline:violation_{action}", args=[violation.pk])


@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_succeeds_and_redirects_to_the_violation(
    client, request, inspector, unit_head_a, violation_a, action
):
    actor, start, data, after, _ = ACTIONS[action]
    bring(violation_a, start, inspector=inspector, head=unit_head_a)
    user = request.getfixturevalue(actor)
    response = login(client, user).post(_url(action, violation_a), data)
    assert response.status_code == 302
    assert response.url == violation_a.get_absolute_url()
    violation_a.refresh_from_db()
    assert violation_a.status == after
    assert violation_a.history.order_by("-history_id").first().history_user == user


@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_rejects_get(client, request, inspector, unit_head_a, violation_a, action):
    actor = ACTIONS[action][0]
    response = login(client, request.getfixturevalue(actor)).get(_url(action, violation_a))
    assert response.status_code == 405


@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_on_another_units_violation_is_404(
    client, request, inspector, unit_head_a, violation_b, stranger_violation, action
):
    actor, start, data, _, _ = ACTIONS[action]
    # A unit head's stranger is the next unit; an inspector's is another Authority.
    target = violation_b if actor == "unit_head_a" else stranger_violation
    if actor == "unit_head_a":
        bring(target, start, inspector=inspector, head=request.getfixturevalue("unit_head_b"))
    before = Violation.objects.get(pk=target.pk).status
    response = login(client, request.getfixturevalue(actor)).post(_url(action, target), data)
    assert response.status_code == 404
    assert Violation.objects.get(pk=target.pk).status == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_without_permission_is_403(
    client, request, inspector, unit_head_a, violation_a, action
):
    _, start, data, _, outsider = ACTIONS[action]
    bring(violation_a, start, inspector=inspector, head=unit_head_a)
    response = login(client, request.getfixturevalue(outsider)).post(
        _url(action, violation_a), data
    )
    assert response.status_code == 403
    violation_a.refresh_from_db()
    assert violation_a.status == start


def test_refused_transition_comes_back_as_a_message(client, inspector, unit_head_a, violation_a):
    bring(violation_a, S.NOTIFIED, inspector=inspector, head=unit_head_a)
    response = login(client, inspector).post(
        _url("rule", violation_a), {"outcome": "upheld", "reason": "x"}, follow=True
    )
    assert response.redirect_chain[-1][0] == violation_a.get_absolute_url()
    assert "khiếu nại" in response.text
    violation_a.refresh_from_db()
    assert violation_a.status == S.NOTIFIED


def test_dispute_without_explanation_shows_the_error_next_to_the_field(
    client, inspector, unit_head_a, violation_a
):
    bring(violation_a, S.NOTIFIED, inspector=inspector, head=unit_head_a)
    response = login(client, unit_head_a).post(_url("dispute", violation_a), {"explanation": ""})
    assert response.status_code == 200
    assert response.context["forms"]["dispute"].errors["explanation"]
    assert response.context["open_form"] == "dispute"
    violation_a.refresh_from_db()
    assert violation_a.status == S.NOTIFIED


def test_dispute_with_evidence_from_the_page(client, inspector, unit_head_a, violation_a):
    bring(violation_a, S.NOTIFIED, inspector=inspector, head=unit_head_a)
    photo = SimpleUploadedFile("giay-moi.png", PNG, content_type="image/png")
    login(client, unit_head_a).post(
        _url("dispute", violation_a), {"explanation": "Đi họp.", "evidence": photo}
    )
    evidence = Evidence.objects.get(violation=violation_a)
    assert evidence.original_name == "giay-moi.png"
    # The evidence opens for the inspector, not for another unit's head.
    assert login(client, inspector).get(evidence.get_absolute_url()).status_code == 200


def test_evidence_of_a_dispute_is_404_for_another_unit_head(
    client, inspector, unit_head_a, unit_head_b, violation_a
):
    bring(violation_a, S.NOTIFIED, inspector=inspector, head=unit_head_a)
    photo = SimpleUploadedFile("giay-moi.png", PNG, content_type="image/png")
    services.dispute_violation(
        violation=violation_a, by=unit_head_a, explanation="Đi họp.", evidence=[photo]
    )
    evidence = Evidence.objects.get(violation=violation_a)
    assert login(client, unit_head_b).get(evidence.get_absolute_url()).status_code == 404


# --- the home page leads to these pages ----------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "links"),
    [
        (
            "inspector",
            ["/violations/?status=recorded", "/violations/?status=disputed", "/violations/new/"],
        ),
        ("unit_head_a", ["/inbox/?status=notified", "/inbox/?status=overdue", "/my-record/"]),
        ("office_chief", ["/violations/?status=standing_open", "/violations/"]),
        ("staff_member", ["/my-record/"]),
    ],
)
def test_home_tiles_and_navigation_lead_to_the_pages(client, db, request, persona, links):
    text = login(client, request.getfixturevalue(persona)).get(reverse("home")).text
    for link in links:
        assert f'href="{link}"' in text, link
    assert "/admin/discipline/violation/" not in text


def test_notifying_twice_is_refused_with_a_message(client, inspector, unit_head_a, violation_a):
    login(client, inspector)
    client.post(_url("notify", violation_a))
    response = client.post(_url("notify", violation_a), follow=True)
    assert "Chỉ có thể thông báo vi phạm vừa ghi nhận" in response.text
    assert Notification.objects.filter(user=unit_head_a).count() == 1
    assert violation_a.history.filter(history_change_reason="notified").count() == 1
