import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from discipline.models import Evidence, Violation
from inspections.services import plan_visit
from tests import factories
from tests.helpers import count_queries


def login(client, user):
    client.force_login(user)
    return client


def admin_url(model: str, action: str, *args) -> str:
    return reverse(f"admin:{model}_{action}", args=args)


def evidence_for(violation, by):
    return Evidence.objects.create(
        violation=violation,
        file=ContentFile(b"%PDF-1.4 test", name="x.pdf"),
        original_name="bien-ban.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
        uploaded_by=by,
    )


# --- scope: out-of-scope rows answer 404 in every model admin ---------------------------------


@pytest.mark.parametrize("view", ["change", "history"])
def test_unit_head_cannot_open_other_units_violation_in_admin(
    client, unit_head_a, violation_a, violation_b, view
):
    login(client, unit_head_a)
    assert client.get(admin_url("discipline_violation", view, violation_a.pk)).status_code == 200
    assert client.get(admin_url("discipline_violation", view, violation_b.pk)).status_code == 404


def test_unit_head_changelist_lists_only_own_units_violations(
    client, unit_head_a, violation_a, violation_b
):
    response = login(client, unit_head_a).get(admin_url("discipline_violation", "changelist"))
    rows = list(response.context["cl"].result_list)
    assert rows == [violation_a]


def test_unit_head_cannot_open_other_units_staff_in_admin(client, unit_head_a, unit_a, unit_b):
    mine, theirs = factories.staff(unit_a), factories.staff(unit_b)
    login(client, unit_head_a)
    assert client.get(admin_url("units_staff", "change", mine.pk)).status_code == 200
    assert client.get(admin_url("units_staff", "change", theirs.pk)).status_code == 404
    assert client.get(admin_url("units_staff", "history", theirs.pk)).status_code == 404
    listed = client.get(admin_url("units_staff", "changelist")).context["cl"].result_list
    assert theirs not in listed and mine in listed


def test_unit_head_cannot_open_other_unit_in_admin(client, unit_head_a, unit_a, unit_b):
    login(client, unit_head_a)
    assert client.get(admin_url("units_unit", "change", unit_a.pk)).status_code == 200
    assert client.get(admin_url("units_unit", "change", unit_b.pk)).status_code == 404


def test_unit_head_cannot_open_other_units_evidence(
    client, unit_head_a, inspector, violation_a, violation_b
):
    mine, theirs = evidence_for(violation_a, inspector), evidence_for(violation_b, inspector)
    login(client, unit_head_a)
    assert client.get(admin_url("discipline_evidence", "change", mine.pk)).status_code == 200
    assert client.get(admin_url("discipline_evidence", "change", theirs.pk)).status_code == 404


def test_inspector_of_another_authority_gets_404_on_our_rows(
    client, other_inspector, violation_a, unit_a, inspector
):
    visit = plan_visit(
        unit=unit_a,
        kind="regular",
        planned_date=timezone.localdate(),
        lead_inspector=inspector.staff,
        by=inspector,
    )
    login(client, other_inspector)
    for url in [
        admin_url("discipline_violation", "change", violation_a.pk),
        admin_url("units_unit", "change", unit_a.pk),
        admin_url("units_staff", "change", violation_a.staff.pk),
        admin_url("inspections_visit", "change", visit.pk),
        admin_url("units_authority", "change", unit_a.authority.pk),
        admin_url("auth_user", "change", inspector.pk),
    ]:
        assert client.get(url).status_code == 404, url


def test_unit_head_has_no_visit_admin(client, unit_head_a):
    response = login(client, unit_head_a).get(admin_url("inspections_visit", "changelist"))
    assert response.status_code == 403


def test_history_revert_is_refused(client, administrator, unit_a):
    person = factories.staff(unit_a)
    record = person.history.first()
    login(client, administrator)
    url = reverse("admin:units_staff_simple_history", args=[person.pk, record.history_id])
    assert client.get(url).status_code == 200
    assert client.post(url, {"full_name": "Đổi tên"}).status_code == 403


def test_out_of_scope_history_version_is_404(client, unit_head_a, unit_b):
    theirs = factories.staff(unit_b)
    record = theirs.history.first()
    url = reverse("admin:units_staff_simple_history", args=[theirs.pk, record.history_id])
    assert login(client, unit_head_a).get(url).status_code == 404


def test_out_of_scope_history_version_is_404_to_a_post_too(client, unit_head_a, unit_b):
    theirs = factories.staff(unit_b)
    record = theirs.history.first()
    url = reverse("admin:units_staff_simple_history", args=[theirs.pk, record.history_id])
    assert login(client, unit_head_a).post(url, {}).status_code == 404


@pytest.mark.parametrize(
    ("model", "obj"), [("units_authority", "authority"), ("discipline_register", "register")]
)
def test_history_page_of_a_model_without_tracked_history_opens(
    client, office_chief, authority, model, obj
):
    from discipline.models import Register

    rows = {
        "authority": authority,
        "register": Register.objects.create(authority=authority, year=2026),
    }
    url = admin_url(model, "history", rows[obj].pk)
    assert login(client, office_chief).get(url).status_code == 200


def test_view_on_site_answers_404_for_a_row_out_of_scope(
    client, unit_head_a, violation_a, violation_b
):
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(violation_a).pk
    login(client, unit_head_a)
    mine = client.get(reverse("admin:view_on_site", args=[content_type, violation_a.pk]))
    theirs = client.get(reverse("admin:view_on_site", args=[content_type, violation_b.pk]))
    assert mine.status_code == 302
    assert mine["Location"].endswith(violation_a.get_absolute_url())
    assert theirs.status_code == 404


# --- choices: a unit head can pick only their own unit's rows ------------------------------------


def test_violation_add_form_offers_only_visible_staff_and_units(
    client, inspector, unit_a, other_unit
):
    ours, stranger = factories.staff(unit_a), factories.staff(other_unit)
    form = (
        login(client, inspector)
        .get(admin_url("discipline_violation", "add"))
        .context["adminform"]
        .form
    )
    assert ours in form.fields["staff"].queryset
    assert stranger not in form.fields["staff"].queryset
    assert other_unit not in form.fields["unit"].queryset


def test_unit_filter_lists_only_visible_units(client, unit_head_a, unit_a, unit_b):
    response = login(client, unit_head_a).get(admin_url("units_staff", "changelist"))
    assert unit_a.name in response.text
    assert unit_b.name not in response.text


# --- writes through services, with bad input refused next to the field -------------------------


def _add_payload(unit, staff, when):
    local = timezone.localtime(when)
    return {
        "unit": unit.pk,
        "staff": staff.pk,
        "type": factories.violation_type().pk,
        "occurred_at_0": local.strftime("%d/%m/%Y"),
        "occurred_at_1": local.strftime("%H:%M"),
        "source": "other",
        "description": "Đi muộn 30 phút",
    }


def test_inspector_records_violation_in_admin_with_history(client, inspector, unit_a):
    person = factories.staff(unit_a)
    when = timezone.now() - datetime.timedelta(hours=3)
    response = login(client, inspector).post(
        admin_url("discipline_violation", "add"), _add_payload(unit_a, person, when)
    )
    assert response.status_code == 302
    violation = Violation.objects.get(staff=person)
    assert violation.recorded_by == inspector
    assert violation.history.first().history_user == inspector


def test_violation_in_the_future_is_refused_next_to_the_field(client, inspector, unit_a):
    person = factories.staff(unit_a)
    when = timezone.now() + datetime.timedelta(days=2)
    response = login(client, inspector).post(
        admin_url("discipline_violation", "add"), _add_payload(unit_a, person, when)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "không thể ở tương lai" in str(errors["occurred_at"])
    assert not Violation.objects.exists()


def test_violation_for_staff_of_another_unit_is_refused_next_to_the_field(
    client, inspector, unit_a, unit_b
):
    person = factories.staff(unit_b)
    when = timezone.now() - datetime.timedelta(hours=1)
    response = login(client, inspector).post(
        admin_url("discipline_violation", "add"), _add_payload(unit_a, person, when)
    )
    assert response.status_code == 200
    assert "không thuộc đơn vị" in str(response.context["adminform"].form.errors["staff"])
    assert not Violation.objects.exists()


def test_second_active_badge_is_refused_in_staff_admin(client, administrator, unit_a, unit_b):
    factories.staff(unit_a, badge_number="VH-0100")
    response = login(client, administrator).post(
        admin_url("units_staff", "add"),
        {
            "full_name": "Lê Văn C",
            "unit": unit_b.pk,
            "position": "Chuyên viên",
            "category": "civil_servant",
            "badge_number": "VH-0100",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "badge_number" in response.context["adminform"].form.errors
    assert not response.context["adminform"].form.instance.pk


def test_violations_cannot_be_deleted_or_edited_in_admin(client, administrator, violation_a):
    login(client, administrator)
    assert (
        client.get(admin_url("discipline_violation", "delete", violation_a.pk)).status_code == 403
    )
    response = client.post(
        admin_url("discipline_violation", "change", violation_a.pk), {"description": "sửa"}
    )
    assert response.status_code == 403
    violation_a.refresh_from_db()
    assert violation_a.description == ""


def test_void_action_asks_for_a_reason_then_voids_through_service(client, inspector, violation_a):
    login(client, inspector)
    url = admin_url("discipline_violation", "changelist")
    payload = {"action": "void_selected", "_selected_action": [violation_a.pk]}
    response = client.post(url, payload)
    assert response.status_code == 200
    assert "reason" in response.context["form"].fields
    client.post(url, {**payload, "apply": "1", "reason": ""})
    violation_a.refresh_from_db()
    assert violation_a.status == Violation.Status.RECORDED
    client.post(url, {**payload, "apply": "1", "reason": "Ghi nhầm người"})
    violation_a.refresh_from_db()
    assert violation_a.status == Violation.Status.VOIDED
    assert violation_a.history.first().history_user == inspector


def test_unit_head_has_no_void_action(client, unit_head_a, violation_a):
    response = login(client, unit_head_a).post(
        admin_url("discipline_violation", "changelist"),
        {
            "action": "void_selected",
            "_selected_action": [violation_a.pk],
            "apply": "1",
            "reason": "x",
        },
    )
    violation_a.refresh_from_db()
    assert violation_a.status == Violation.Status.RECORDED
    assert response.status_code in (200, 302)


# --- user admin ----------------------------------------------------------------------------------


def test_administrator_cannot_see_superusers_or_other_authority_users(
    client, administrator, other_administrator, django_user_model
):
    keeper = django_user_model.objects.create_superuser("keeper", password="x")
    login(client, administrator)
    assert client.get(admin_url("auth_user", "change", keeper.pk)).status_code == 404
    assert client.get(admin_url("auth_user", "change", other_administrator.pk)).status_code == 404


def test_administrator_cannot_grant_superuser(client, administrator, inspector):
    login(client, administrator)
    form = client.get(admin_url("auth_user", "change", inspector.pk)).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert {g.name for g in form.fields["groups"].queryset} == {
        "inspectors",
        "unit_heads",
        "office_chief",
        "leaders",
        "administrators",
    }


# --- query counts do not grow with rows ----------------------------------------------------------


CHANGELISTS = [
    "discipline_violation",
    "discipline_evidence",
    "discipline_violationtype",
    "units_staff",
    "units_unit",
    "units_authority",
    "inspections_visit",
    "auth_user",
]


def _grow(unit_a, unit_b, inspector, n):
    for _ in range(n):
        person = factories.staff(unit_a)
        violation = factories.violation(person, by=inspector)
        evidence_for(violation, inspector)
        plan_visit(
            unit=unit_b,
            kind="regular",
            planned_date=timezone.localdate(),
            lead_inspector=inspector.staff,
            by=inspector,
        )
        factories.unit(unit_a.authority)


@pytest.mark.parametrize(
    ("model", "expected"),
    # Each count includes one query for the number of Authorities: the admin's sidebar asks on
    # every page whether the shared catalogues may be changed (SharedCatalogueAdmin).
    [
        ("discipline_violation", 8),
        ("discipline_evidence", 7),
        ("discipline_violationtype", 7),
        ("units_staff", 8),
        ("units_unit", 8),
        ("units_authority", 7),
        ("inspections_visit", 8),
        ("auth_user", 9),
    ],
)
def test_admin_changelist_query_count_is_pinned(
    client, administrator, inspector, unit_a, unit_b, model, expected
):
    # The administrator sees every changelist; counts are the same with 2 and with 12 rows.
    login(client, administrator)
    url = admin_url(model, "changelist")
    _grow(unit_a, unit_b, inspector, 2)
    small = count_queries(client, url)
    _grow(unit_a, unit_b, inspector, 10)
    large = count_queries(client, url)
    assert (small, large) == (expected, expected)
