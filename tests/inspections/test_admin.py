"""The visit admin: roll, checklist and evidence inline, writes through the services."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from discipline import services
from inspections.models import ChecklistItem, Visit
from tests import factories


def _change_url(visit):
    return reverse("admin:inspections_visit_change", args=[visit.pk])


@pytest.fixture
def running(unit_a, inspector):
    factories.staff(unit_a, full_name="Lê Văn Trong Danh Sách")
    return factories.started_visit(unit_a, by=inspector)


def test_visit_admin_shows_roll_checklist_and_evidence_inline(client, inspector, running):
    evidence = services.attach_evidence(
        upload=SimpleUploadedFile("anh.png", factories.tiny_png()),
        by=inspector,
        roll_entry=running.roll.get(),
    )
    client.force_login(inspector)
    response = client.get(_change_url(running))
    assert response.status_code == 200
    assert "Lê Văn Trong Danh Sách" in response.text
    assert "Sổ nhật ký công việc" in response.text
    assert evidence.get_absolute_url() in response.text  # through the scoped download view


def test_editing_a_planned_visit_in_admin_goes_through_the_service(
    client, inspector, unit_a, home_affairs
):
    visit = factories.visit(unit_a, by=inspector)
    colleague = factories.staff(home_affairs)
    client.force_login(inspector)
    later = visit.planned_date + datetime.timedelta(days=2)
    response = client.post(
        _change_url(visit),
        {
            "kind": "thematic",
            "planned_date": later.strftime("%d/%m/%Y"),
            "lead_inspector": inspector.staff.pk,
            "team": [colleague.pk],
            "summary": "Chuyên đề một cửa",
            **_empty_inlines(),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    visit.refresh_from_db()
    assert (visit.kind, visit.planned_date, visit.unit) == ("thematic", later, unit_a)
    assert list(visit.team.all()) == [colleague]
    record = visit.history.first()
    assert (record.history_user, record.history_change_reason) == (inspector, "edited")


def _empty_inlines():
    data = {}
    for prefix in ("roll", "checklist", "evidence"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


def test_a_finished_visit_is_read_only_in_admin(client, inspector, running):
    services.finish_visit(visit=running, by=inspector, summary="Xong")
    client.force_login(inspector)
    response = client.get(_change_url(running))
    assert response.status_code == 200
    assert "summary" not in response.context["adminform"].form.fields
    assert client.post(_change_url(running), {"summary": "Sửa lại"}).status_code == 403
    running.refresh_from_db()
    assert running.summary == "Xong"


def test_checklist_items_are_kept_by_administrators(client, administrator, inspector):
    client.force_login(administrator)
    add = reverse("admin:inspections_checklistitem_add")
    response = client.post(
        add,
        {
            "code": "archives",
            "text": "Lưu trữ hồ sơ đúng quy định",
            "sort_order": 70,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    item = ChecklistItem.objects.get(code="archives")
    form = (
        client.get(reverse("admin:inspections_checklistitem_change", args=[item.pk]))
        .context["adminform"]
        .form
    )
    assert "code" not in form.fields  # other features find items by their code
    delete = reverse("admin:inspections_checklistitem_delete", args=[item.pk])
    assert client.get(delete).status_code == 403
    client.force_login(inspector)
    assert client.get(add).status_code == 403
    listed = client.get(reverse("admin:inspections_checklistitem_changelist"))
    assert listed.status_code == 200


def test_roles_hold_the_checklist_permissions(inspector, leader, unit_head_a):
    assert inspector.has_perm("inspections.change_checklistanswer")
    assert not leader.has_perm("inspections.change_checklistanswer")
    assert leader.has_perm("inspections.view_checklistanswer")
    assert not unit_head_a.has_perm("inspections.view_checklistanswer")


def test_default_checklist_is_seeded_with_stable_codes(db):
    assert list(ChecklistItem.objects.values_list("code", flat=True)) == [
        "work_diaries",
        "working_regulations",
        "task_assignment",
        "periodic_reports",
        "citizen_reception",
        "badges_worn",
    ]
    assert Visit.objects.count() == 0
