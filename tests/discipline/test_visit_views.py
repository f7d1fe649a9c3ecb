"""A visit's page, finishing it, its evidence and its minutes (print view and PDF)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from discipline import services
from discipline.models import Evidence, Violation
from inspections.models import Visit
from inspections.services import mark_roll_entry
from tests import factories
from tests.helpers import count_queries
from units.models import Notification

STARTED = factories.local(2026, 3, 5, 7, 20)


@pytest.fixture
def running(unit_a, inspector):
    for name in ["An", "Bình", "Cường"]:
        factories.staff(unit_a, full_name=f"Lê Văn {name}")
    visit = factories.started_visit(unit_a, by=inspector, started_at=STARTED)
    first, second = visit.roll.order_by("staff__full_name")[:2]
    mark_roll_entry(entry=first, by=inspector, presence="absent_without_reason")
    mark_roll_entry(entry=second, by=inspector, presence="present", badge_worn=False)
    return visit


@pytest.fixture
def finished(running, inspector):
    services.finish_visit(
        visit=running, by=inspector, summary="Đề nghị chấn chỉnh", unit_representative="Ông X"
    )
    return running


@pytest.fixture
def visit_evidence(running, inspector):
    return services.attach_evidence(
        upload=SimpleUploadedFile("anh.png", factories.tiny_png()), by=inspector, visit=running
    )


def _urls(running, finished_visit):
    return {
        "detail": ("get", reverse("discipline:visit_detail", args=[running.pk])),
        "finish": ("get", reverse("discipline:visit_finish", args=[running.pk])),
        "evidence": ("get", reverse("discipline:visit_evidence_add", args=[running.pk])),
        "minutes": ("get", reverse("discipline:visit_minutes", args=[finished_visit.pk])),
        "pdf": ("get", reverse("discipline:visit_minutes_pdf", args=[finished_visit.pk])),
    }


@pytest.fixture
def pair(unit_b, inspector, running):
    """A running visit and a finished one (of another unit)."""
    other = factories.started_visit(unit_b, by=inspector)
    services.finish_visit(visit=other, by=inspector)
    return running, other


@pytest.mark.parametrize("name", ["detail", "finish", "evidence", "minutes", "pdf"])
def test_unit_heads_are_refused(client, unit_head_a, pair, name):
    method, url = _urls(*pair)[name]
    client.force_login(unit_head_a)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("name", ["finish", "evidence"])
def test_leaders_cannot_finish_or_attach(client, leader, pair, name):
    method, url = _urls(*pair)[name]
    client.force_login(leader)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("name", ["detail", "finish", "evidence", "minutes", "pdf"])
def test_inspector_of_another_authority_gets_404(client, other_inspector, pair, name):
    method, url = _urls(*pair)[name]
    client.force_login(other_inspector)
    assert getattr(client, method)(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("detail", "post"),
        ("finish", "put"),
        ("evidence", "put"),
        ("minutes", "post"),
        ("pdf", "post"),
    ],
)
def test_wrong_method_is_405(client, inspector, pair, name, wrong):
    _, url = _urls(*pair)[name]
    client.force_login(inspector)
    assert getattr(client, wrong)(url).status_code == 405


# --- the visit's page --------------------------------------------------------------------------


def test_planned_visit_page_offers_to_start(client, inspector, unit_a):
    visit = factories.visit(unit_a, by=inspector, kind="unannounced")
    client.force_login(inspector)
    response = client.get(reverse("discipline:visit_detail", args=[visit.pk]))
    assert reverse("inspections:visit_start", args=[visit.pk]) in response.text
    assert "Đột xuất" in response.text


def test_leader_reads_a_visit_without_action_buttons(client, leader, running):
    client.force_login(leader)
    response = client.get(reverse("discipline:visit_detail", args=[running.pk]))
    assert response.status_code == 200
    assert reverse("discipline:visit_finish", args=[running.pk]) not in response.text


def test_finished_visit_page_lists_its_violations_minutes_and_evidence(
    client, inspector, running, visit_evidence
):
    services.finish_visit(visit=running, by=inspector)
    client.force_login(inspector)
    response = client.get(reverse("discipline:visit_detail", args=[running.pk]))
    assert len(response.context["violations"]) == 2
    for violation in Violation.objects.filter(visit=running):
        assert violation.get_absolute_url() in response.text
    assert reverse("discipline:visit_minutes", args=[running.pk]) in response.text
    assert visit_evidence.get_absolute_url() in response.text


def test_visit_page_query_count_does_not_grow(client, inspector, unit_a, authority):
    unit = factories.unit(authority)
    client.force_login(inspector)

    def finished_with(n):
        for _ in range(n):
            factories.staff(unit)
        visit = factories.started_visit(unit, by=inspector)
        for entry in visit.roll.all():
            mark_roll_entry(entry=entry, by=inspector, presence="present", badge_worn=False)
        services.finish_visit(visit=visit, by=inspector)
        return reverse("discipline:visit_detail", args=[visit.pk])

    small, large = finished_with(2), finished_with(15)
    assert (count_queries(client, small), count_queries(client, large)) == (10, 10)


# --- finish ------------------------------------------------------------------------------------


def test_finish_page_previews_the_findings(client, inspector, running):
    client.force_login(inspector)
    response = client.get(reverse("discipline:visit_finish", args=[running.pk]))
    assert response.context["finding_count"] == 2
    assert "Lê Văn An" in response.text and "Vắng không lý do" in response.text
    assert response.context["unanswered"] == 6


def test_finish_records_violations_tells_the_head_and_shows_them(
    client, inspector, unit_head_a, running
):
    client.force_login(inspector)
    response = client.post(
        reverse("discipline:visit_finish", args=[running.pk]),
        {"summary": "Đề nghị chấn chỉnh", "unit_representative": "Nguyễn Văn A, Chủ tịch"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("discipline:visit_detail", args=[running.pk])
    assert "ghi nhận 2 vi phạm" in response.text
    assert Violation.objects.filter(visit=running, status="notified").count() == 2
    assert Notification.objects.filter(user=unit_head_a).count() == 1
    running.refresh_from_db()
    assert (running.status, running.unit_representative) == ("finished", "Nguyễn Văn A, Chủ tịch")


def test_finishing_twice_is_refused_with_a_message(client, inspector, finished):
    client.force_login(inspector)
    response = client.post(
        reverse("discipline:visit_finish", args=[finished.pk]), {"summary": "lần 2"}, follow=True
    )
    assert "Chỉ có thể kết thúc đợt kiểm tra đang diễn ra" in response.text
    assert Violation.objects.filter(visit=finished).count() == 2
    finished.refresh_from_db()
    assert finished.summary == "Đề nghị chấn chỉnh"


def test_finishing_a_visit_that_never_started_is_refused(client, inspector, unit_a):
    visit = factories.visit(unit_a, by=inspector)
    client.force_login(inspector)
    response = client.post(reverse("discipline:visit_finish", args=[visit.pk]), follow=True)
    assert "Chỉ có thể kết thúc đợt kiểm tra đang diễn ra" in response.text
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PLANNED


# --- evidence ----------------------------------------------------------------------------------


def _upload(client, visit, **files):
    return client.post(reverse("discipline:visit_evidence_add", args=[visit.pk]), files)


def test_evidence_page_opens_the_phone_camera(client, inspector, running):
    client.force_login(inspector)
    response = client.get(reverse("discipline:visit_evidence_add", args=[running.pk]))
    assert 'capture="environment"' in response.text
    assert 'accept="image/*,application/pdf"' in response.text


def test_photo_for_one_person_is_stored_and_back_to_their_card(client, inspector, running):
    entry = running.roll.order_by("staff__full_name").first()
    client.force_login(inspector)
    response = _upload(
        client,
        running,
        photo=SimpleUploadedFile("IMG_1.png", factories.tiny_png(), content_type="image/png"),
        roll_entry=entry.pk,
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#entry-{entry.pk}")
    evidence = Evidence.objects.get()
    assert (evidence.visit, evidence.roll_entry, evidence.uploaded_by) == (
        running,
        entry,
        inspector,
    )


def test_a_pdf_and_a_photo_at_once(client, inspector, running):
    client.force_login(inspector)
    _upload(
        client,
        running,
        photo=SimpleUploadedFile("a.png", factories.tiny_png()),
        document=SimpleUploadedFile("bien-ban.pdf", factories.tiny_pdf()),
    )
    assert sorted(Evidence.objects.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/png",
    ]


def test_a_non_image_renamed_to_jpg_is_refused_and_nothing_saved(client, inspector, running):
    client.force_login(inspector)
    response = _upload(
        client,
        running,
        photo=SimpleUploadedFile("anh.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg"),
    )
    assert response.status_code == 200
    assert "Chỉ chấp nhận ảnh (JPEG, PNG) và tài liệu PDF" in str(
        response.context["form"].errors["photo"]
    )
    assert not Evidence.objects.exists()


def test_an_eleven_megabyte_file_is_refused_and_nothing_saved(client, inspector, running):
    client.force_login(inspector)
    big = factories.tiny_png() + b"\x00" * (11 * 1024 * 1024)
    response = _upload(client, running, document=SimpleUploadedFile("big.png", big))
    assert response.status_code == 200
    assert "vượt giới hạn 10,0\xa0MB" in str(response.context["form"].errors["document"])
    assert not Evidence.objects.exists()


def test_nothing_to_attach_is_refused(client, inspector, running):
    client.force_login(inspector)
    response = _upload(client, running)
    assert "Hãy chụp ảnh hoặc chọn một tệp" in response.text


def test_evidence_cannot_be_added_to_a_finished_visit(client, inspector, finished):
    client.force_login(inspector)
    response = _upload(client, finished, photo=SimpleUploadedFile("a.png", factories.tiny_png()))
    assert response.status_code == 302
    assert not Evidence.objects.exists()


def test_visit_evidence_downloads_only_inside_the_scope(
    client, inspector, unit_head_a, other_inspector, visit_evidence
):
    url = visit_evidence.get_absolute_url()
    client.force_login(inspector)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == factories.tiny_png()
    for outsider in (unit_head_a, other_inspector):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


# --- minutes -----------------------------------------------------------------------------------


def test_minutes_show_who_when_where_roll_checklist_and_signatures(client, inspector, finished):
    client.force_login(inspector)
    response = client.get(reverse("discipline:visit_minutes", args=[finished.pk]))
    text = response.text
    assert "BIÊN BẢN" in text and "ĐOÀN KIỂM TRA CÔNG VỤ" in text
    assert finished.unit.name in text
    assert inspector.staff.full_name in text
    assert "Vào lúc 07 giờ 20 phút, ngày 05/03/2026" in text
    assert "Vĩnh Hưng, ngày " in text
    assert "Lê Văn An" in text and "Vắng không lý do" in text
    assert "Sổ nhật ký công việc" in text
    assert "ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA" in text and "Ông X" in text
    assert "js/print.js" in text


def test_minutes_are_vietnamese_even_in_the_english_interface(client, inspector, finished):
    client.force_login(inspector)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("discipline:visit_minutes", args=[finished.pk]))
    assert "BIÊN BẢN" in response.text


def test_minutes_of_a_visit_not_finished_are_404(client, inspector, running):
    client.force_login(inspector)
    assert client.get(reverse("discipline:visit_minutes", args=[running.pk])).status_code == 404
    assert client.get(reverse("discipline:visit_minutes_pdf", args=[running.pk])).status_code == 404


def test_minutes_pdf_is_a_download(client, leader, finished):
    client.force_login(leader)
    response = client.get(reverse("discipline:visit_minutes_pdf", args=[finished.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"%PDF")


def test_minutes_query_count_does_not_grow(client, inspector, authority):
    unit = factories.unit(authority)
    client.force_login(inspector)

    def minutes_with(n):
        for _ in range(n):
            factories.staff(unit)
        visit = factories.started_visit(unit, by=inspector)
        for entry in visit.roll.all():
            mark_roll_entry(entry=entry, by=inspector, presence="present", badge_worn=False)
        services.finish_visit(visit=visit, by=inspector)
        return reverse("discipline:visit_minutes", args=[visit.pk])

    small, large = minutes_with(2), minutes_with(15)
    assert (count_queries(client, small), count_queries(client, large)) == (9, 9)
