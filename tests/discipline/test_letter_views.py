"""Every letter page: success, wrong method (405), out-of-scope row (404), missing permission
(403); scope of unit heads; bad input; pinned query counts."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from discipline import services
from discipline.models import Letter, LetterReport, Register
from tests import factories
from tests.discipline.conftest import standing_violation
from tests.helpers import count_queries


@pytest.fixture
def other_chief(other_authority):
    office = factories.unit(other_authority, name="Văn phòng Tân Hưng", code="VP")
    return factories.user_with_role("chief_other", office, "office_chief")


def url(name, *args):
    return reverse(f"discipline:{name}", args=args)


def _get(client, user, target, **kwargs):
    client.force_login(user)
    return client.get(target, **kwargs)


def _post(client, user, target, data=None, **kwargs):
    client.force_login(user)
    return client.post(target, data or {}, **kwargs)


# --- the common four: success is tested below per view ---------------------------------------

LETTER_GETS = ["letter_detail", "letter_docx", "letter_pdf", "letter_print"]


@pytest.mark.parametrize("name", LETTER_GETS)
def test_letter_pages_refuse_post(client, chief, issued, name):
    assert _post(client, chief, url(name, issued.pk)).status_code == 405


@pytest.mark.parametrize("name", LETTER_GETS)
def test_letter_pages_of_another_authority_are_404(client, other_chief, issued, name):
    assert _get(client, other_chief, url(name, issued.pk)).status_code == 404


@pytest.mark.parametrize("name", LETTER_GETS)
def test_letter_pages_need_the_view_permission(client, inspector, issued, name):
    assert _get(client, inspector, url(name, issued.pk)).status_code == 403


@pytest.mark.parametrize("name", LETTER_GETS)
def test_unit_head_reads_letters_addressed_to_their_unit_only(
    client, unit_head_a, unit_head_b, issued, name
):
    assert _get(client, unit_head_a, url(name, issued.pk)).status_code == 200
    assert _get(client, unit_head_b, url(name, issued.pk)).status_code == 404


@pytest.mark.parametrize("name", LETTER_GETS)
def test_unit_head_never_sees_a_draft(client, unit_head_a, draft, name):
    assert _get(client, unit_head_a, url(name, draft.pk)).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("letter_issue", "get"),
        ("letter_close", "get"),
        ("letter_edit", "delete"),
        ("letter_report", "delete"),
    ],
)
def test_actions_refuse_other_methods(client, chief, issued, name, method):
    client.force_login(chief)
    assert getattr(client, method)(url(name, issued.pk)).status_code == 405


@pytest.mark.parametrize("name", ["letter_edit", "letter_issue", "letter_close"])
def test_chief_actions_on_another_authoritys_letter_are_404(client, other_chief, draft, name):
    assert _post(client, other_chief, url(name, draft.pk)).status_code == 404
    assert Letter.objects.get(pk=draft.pk).status == Letter.Status.DRAFT


@pytest.mark.parametrize("name", ["letter_edit", "letter_issue", "letter_close"])
def test_chief_actions_are_forbidden_to_unit_heads_and_leaders(
    client, unit_head_a, leader, issued, name
):
    for user in (unit_head_a, leader):
        assert _post(client, user, url(name, issued.pk)).status_code == 403


# --- list ---------------------------------------------------------------------------------


def test_chief_lists_drafts_and_issued_letters(client, chief, draft, issued_b):
    response = _get(client, chief, url("letter_list"))
    assert response.status_code == 200
    assert set(response.context["page_obj"].object_list) == {draft, issued_b}
    assert "02/UBND-VP" not in response.text and "01/UBND-VP" in response.text


def test_unit_head_lists_only_issued_letters_to_their_unit(
    client, unit_head_a, chief, issued, issued_b, offence_a
):
    services.draft_letter(kind="reminder", violations=[offence_a], by=chief)  # a draft to A
    response = _get(client, unit_head_a, url("letter_list"))
    assert list(response.context["page_obj"].object_list) == [issued]


def test_overdue_filter(client, chief, issued, issued_b):
    Letter.objects.filter(pk=issued.pk).update(response_due=timezone.localdate().replace(day=1))
    Letter.objects.filter(pk=issued.pk).update(
        response_due=timezone.localdate() - timezone.timedelta(days=1)
    )
    response = _get(client, chief, url("letter_list") + "?status=overdue")
    assert list(response.context["page_obj"].object_list) == [issued]
    assert 'class="overdue"' in response.text


def test_letter_list_refuses_post_and_needs_permission(client, chief, inspector):
    assert _post(client, chief, url("letter_list")).status_code == 405
    assert _get(client, inspector, url("letter_list")).status_code == 403


# --- detail, edit, issue, close ---------------------------------------------------------------


def test_draft_page_offers_edit_and_issue(client, chief, draft):
    response = _get(client, chief, url("letter_detail", draft.pk))
    assert response.status_code == 200
    assert url("letter_edit", draft.pk) in response.text
    assert url("letter_issue", draft.pk) in response.text
    assert "Hồ Thành Nghĩa" in response.text


def test_chief_edits_a_paragraph_of_the_draft(client, chief, draft):
    response = _get(client, chief, url("letter_edit", draft.pk))
    assert response.status_code == 200
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["response_due"] = f"{draft.response_due:%Y-%m-%d}"
    data["body"] = draft.body.replace("Qua kiểm tra công vụ", "Qua kiểm tra đột xuất")
    response = _post(client, chief, url("letter_edit", draft.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    draft.refresh_from_db()
    assert draft.body.startswith("Qua kiểm tra đột xuất")


def test_edit_with_past_deadline_shows_the_message_next_to_the_field(client, chief, draft):
    before = Letter.objects.get(pk=draft.pk).body
    response = _post(
        client,
        chief,
        url("letter_edit", draft.pk),
        {
            "kind": "reminder",
            "subject": "x",
            "recipients": "x",
            "body": "Sửa./.",
            "copy_to": "Lưu: VT.",
            "response_due": "2000-01-01",
            "signer": draft.signer_id,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["response_due"] == [
        "Hạn báo cáo không được là ngày đã qua."
    ]
    assert Letter.objects.get(pk=draft.pk).body == before


def test_editing_an_issued_letter_is_refused_with_a_message(client, chief, issued):
    before = Letter.objects.get(pk=issued.pk).body
    response = _post(client, chief, url("letter_edit", issued.pk), {"body": "Sửa./."}, follow=True)
    assert "không được sửa" in response.text
    assert Letter.objects.get(pk=issued.pk).body == before


def test_chief_issues_and_sees_the_number(client, chief, draft):
    response = _post(client, chief, url("letter_issue", draft.pk), follow=True)
    assert response.status_code == 200
    assert "Đã ban hành công văn số 01/UBND-VP." in response.text
    assert "Số: 01/UBND-VP" in response.text


def test_issuing_twice_shows_a_message_and_changes_nothing(client, chief, issued):
    response = _post(client, chief, url("letter_issue", issued.pk), follow=True)
    assert "Công văn này đã được ban hành (số 01/UBND-VP)." in response.text
    assert Register.objects.get().last_number == 1


def test_issuing_without_violations_shows_a_message(client, chief, draft):
    draft.violations.clear()
    response = _post(client, chief, url("letter_issue", draft.pk), follow=True)
    assert "Công văn phải nêu ít nhất một vi phạm." in response.text
    assert Letter.objects.get(pk=draft.pk).status == Letter.Status.DRAFT


def test_chief_closes_a_letter(client, chief, issued):
    response = _post(client, chief, url("letter_close", issued.pk))
    assert response.status_code == 302
    assert Letter.objects.get(pk=issued.pk).status == Letter.Status.CLOSED


# --- reports ----------------------------------------------------------------------------------


def test_unit_head_records_a_report_with_a_photo(client, unit_head_a, issued):
    assert _get(client, unit_head_a, url("letter_report", issued.pk)).status_code == 200
    photo = SimpleUploadedFile("bien-ban.png", factories.tiny_png())
    response = _post(
        client,
        unit_head_a,
        url("letter_report", issued.pk),
        {"text": "Đã tổ chức kiểm điểm.", "files": [photo]},
    )
    assert response.status_code == 302
    report = LetterReport.objects.get()
    assert report.attachments.get().content_type == "image/png"
    assert Letter.objects.get(pk=issued.pk).status == Letter.Status.ANSWERED


def test_report_with_a_bad_file_is_refused_next_to_the_field(client, unit_head_a, issued):
    fake = SimpleUploadedFile("anh.jpg", b"<html>not a photo</html>")
    response = _post(
        client,
        unit_head_a,
        url("letter_report", issued.pk),
        {"text": "Đã xử lý.", "files": [fake]},
    )
    assert response.status_code == 200
    assert "files" in response.context["form"].errors
    assert not LetterReport.objects.exists()


def test_report_page_of_a_letter_to_another_unit_is_404(client, unit_head_b, issued):
    assert _get(client, unit_head_b, url("letter_report", issued.pk)).status_code == 404


def test_report_needs_the_unit_heads_permission(client, chief, issued):
    assert _get(client, chief, url("letter_report", issued.pk)).status_code == 403


def test_report_attachment_is_served_only_in_scope(
    client, unit_head_a, unit_head_b, chief, inspector, issued, unit_a
):
    upload = SimpleUploadedFile("bc.pdf", factories.tiny_pdf("report"))
    report = services.record_letter_report(
        letter=issued, unit=unit_a, text="Đã xử lý.", uploads=[upload], by=unit_head_a
    )
    target = report.attachments.get().get_absolute_url()
    for user in (unit_head_a, chief):
        response = _get(client, user, target)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
    assert _get(client, unit_head_b, target).status_code == 404
    assert _get(client, inspector, target).status_code == 403
    assert _post(client, chief, target).status_code == 405


# --- proposals and drafting -------------------------------------------------------------------


@pytest.fixture
def repeat_offender(unit_a, inspector):
    person = factories.staff(unit_a, full_name="Hồ Thành Nghĩa")
    for days in (30, 20, 10):
        standing_violation(person, by=inspector, days_ago=days)
    return person


def test_proposals_page_lists_the_repeat_offender(client, chief, repeat_offender):
    response = _get(client, chief, url("letter_proposals"))
    assert response.status_code == 200
    assert "Hồ Thành Nghĩa" in response.text
    assert "Chưa có công văn" in response.text


def test_proposals_page_refuses_post_and_unit_heads(client, chief, unit_head_a):
    assert _post(client, chief, url("letter_proposals")).status_code == 405
    assert _get(client, unit_head_a, url("letter_proposals")).status_code == 403


def test_drafting_from_a_proposal_opens_the_draft(client, chief, repeat_offender, unit_a):
    data = {"rule": EscalationRuleIds.self_review(), "target": f"s{repeat_offender.pk}"}
    response = _post(client, chief, url("letter_draft"), data)
    letter = Letter.objects.get()
    assert response.url == url("letter_edit", letter.pk)
    assert (letter.kind, letter.rule.letter_kind) == ("self_review", "self_review")
    assert list(letter.addressees.all()) == [unit_a]
    assert letter.violations.count() == 3


def test_drafting_from_an_unknown_proposal_is_404(client, chief, repeat_offender, unit_b):
    data = {"rule": EscalationRuleIds.self_review(), "target": f"u{unit_b.pk}"}
    assert _post(client, chief, url("letter_draft"), data).status_code == 404
    assert _post(client, chief, url("letter_draft"), {"rule": "x"}).status_code == 404
    assert not Letter.objects.exists()


def test_drafting_refuses_get_and_unit_heads(client, chief, unit_head_a, repeat_offender):
    assert _get(client, chief, url("letter_draft")).status_code == 405
    data = {"rule": EscalationRuleIds.self_review(), "target": f"s{repeat_offender.pk}"}
    assert _post(client, unit_head_a, url("letter_draft"), data).status_code == 403


def test_another_authoritys_chief_cannot_draft_our_proposal(client, other_chief, repeat_offender):
    data = {"rule": EscalationRuleIds.self_review(), "target": f"s{repeat_offender.pk}"}
    assert _post(client, other_chief, url("letter_draft"), data).status_code == 404


class EscalationRuleIds:
    @staticmethod
    def self_review() -> int:
        from discipline.models import EscalationRule

        return EscalationRule.objects.get(letter_kind="self_review").pk


# --- register ---------------------------------------------------------------------------------


def test_register_lists_the_years_letters_by_number(client, chief, issued, issued_b, leader):
    year = timezone.localdate().year
    response = _get(client, leader, url("letter_register") + f"?year={year}")
    assert response.status_code == 200
    assert [letter.number for letter in response.context["page_obj"]] == [1, 2]
    assert "Sổ văn bản đi năm" in response.text
    empty = _get(client, chief, url("letter_register") + f"?year={year - 1}")
    assert list(empty.context["page_obj"]) == []


def test_register_export_is_a_workbook_with_the_register_columns(client, chief, issued):
    response = _get(client, chief, url("letter_register_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        f'so-van-ban-di-{timezone.localdate().year}.xlsx"'
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0] == (
        "Số",
        "Ngày",
        "Số, ký hiệu",
        "Trích yếu",
        "Kính gửi",
        "Người ký",
        "Trạng thái",
    )
    number, date, reference, subject, addressees, signer, _ = rows[1]
    assert (number, reference, addressees, signer) == (
        "01",
        "01/UBND-VP",
        "Chủ tịch UBND xã Khánh Hưng",
        "Cán bộ chief",
    )
    assert date == f"{timezone.localdate():%d/%m/%Y}"
    assert subject.startswith("V/v yêu cầu kiểm điểm")


@pytest.mark.parametrize("name", ["letter_register", "letter_register_export"])
def test_register_refuses_post_and_unit_heads(client, chief, unit_head_a, name):
    assert _post(client, chief, url(name)).status_code == 405
    assert _get(client, unit_head_a, url(name)).status_code == 403


def test_register_never_shows_another_authoritys_letters(client, other_chief, issued):
    response = _get(client, other_chief, url("letter_register"))
    assert list(response.context["page_obj"]) == []


# --- home and navigation ----------------------------------------------------------------------


def test_home_shows_letter_tiles_to_the_chief_and_unit_head(
    client, chief, unit_head_a, issued, draft
):
    response = _get(client, chief, reverse("home"))
    assert response.context["counts"]["letter_drafts"] == 0  # the draft was issued
    assert url("letter_proposals") in response.text
    assert url("letter_register") in response.text
    response = _get(client, unit_head_a, reverse("home"))
    assert response.context["counts"]["letters_awaiting"] == 1
    assert "Công văn chờ đơn vị báo cáo" in response.text
    assert url("letter_list") in response.text


# --- query counts -----------------------------------------------------------------------------


def _more_letters(chief, unit, inspector, count):
    for _ in range(count):
        violation = standing_violation(factories.staff(unit), by=inspector)
        letter = services.draft_letter(kind="reminder", violations=[violation], by=chief)
        services.issue_letter(letter=letter, by=chief)


# session, user with staff record, roles with permissions, unread count, then the page's own
# reads.
LIST_QUERIES = {"chief": 7, "unit_head_a": 7}


@pytest.mark.parametrize("persona", ["chief", "unit_head_a"])
def test_letter_list_query_count_does_not_grow(
    client, request, persona, chief, unit_a, inspector, issued
):
    client.force_login(request.getfixturevalue(persona))
    small = count_queries(client, url("letter_list"))
    _more_letters(chief, unit_a, inspector, 12)
    large = count_queries(client, url("letter_list"))
    assert (small, large) == (LIST_QUERIES[persona],) * 2


def test_letter_detail_query_count_does_not_grow(client, chief, unit_a, inspector, unit_head_a):
    violations = [standing_violation(factories.staff(unit_a), by=inspector) for _ in range(2)]
    small_letter = services.draft_letter(kind="reminder", violations=violations, by=chief)
    violations += [standing_violation(factories.staff(unit_a), by=inspector) for _ in range(10)]
    large_letter = services.draft_letter(kind="reminder", violations=violations, by=chief)
    client.force_login(chief)
    small = count_queries(client, url("letter_detail", small_letter.pk))
    large = count_queries(client, url("letter_detail", large_letter.pk))
    assert (small, large) == (7, 7)


def test_proposals_query_count_does_not_grow(client, chief, unit_a, unit_b, inspector):
    def offender(unit):
        person = factories.staff(unit)
        for days in (3, 4, 5):
            standing_violation(person, by=inspector, days_ago=days)

    offender(unit_a)
    client.force_login(chief)
    small = count_queries(client, url("letter_proposals"))
    for _ in range(4):
        offender(unit_b)
    standing_violation(factories.staff(unit_a), by=inspector, code="alcohol")
    large = count_queries(client, url("letter_proposals"))
    assert (small, large) == (11, 11)


def test_register_query_count_does_not_grow(client, chief, unit_a, inspector, issued):
    client.force_login(chief)
    small = count_queries(client, url("letter_register"))
    _more_letters(chief, unit_a, inspector, 12)
    large = count_queries(client, url("letter_register"))
    assert (small, large) == (8, 8)
