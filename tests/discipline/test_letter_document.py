"""The letter's outputs read back: the .docx through python-docx, rule by rule of Nghị định
30/2020/NĐ-CP (Phụ lục I) as DESIGN.md §5 lists them; the PDF and the print view for content."""

import datetime
import io
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from discipline import letters, services
from discipline.letter_docx import render_docx
from discipline.models import Letter
from tests import factories
from tests.discipline.conftest import standing_violation


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 1, 5), "Vĩnh Hưng, ngày 05 tháng 01 năm 2026"),
        (datetime.date(2026, 2, 28), "Vĩnh Hưng, ngày 28 tháng 02 năm 2026"),
        (datetime.date(2026, 3, 9), "Vĩnh Hưng, ngày 09 tháng 3 năm 2026"),
        (datetime.date(2026, 6, 15), "Vĩnh Hưng, ngày 15 tháng 6 năm 2026"),
        (datetime.date(2026, 12, 31), "Vĩnh Hưng, ngày 31 tháng 12 năm 2026"),
    ],
)
def test_date_line_pads_days_below_10_and_only_january_and_february(day, expected):
    assert letters.date_line("Vĩnh Hưng", day) == expected


def test_draft_date_line_and_number_are_blanks_to_fill_by_hand(draft):
    document = letters.document_for(draft)
    assert re.fullmatch(r"Số:\s+/UBND-VP", document.number_line)
    assert re.fullmatch(r"Vĩnh Hưng, ngày\s+tháng\s+năm \d{4}", document.date_line)


def _issue_on(letter, chief, day: datetime.date) -> Letter:
    Letter.objects.filter(pk=letter.pk).update(response_due=day + datetime.timedelta(days=14))
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
    return services.issue_letter(letter=letter, by=chief, now=when)


def _docx(letter) -> Document:
    return Document(io.BytesIO(render_docx(letters.document_for(Letter.objects.get(pk=letter.pk)))))


def _runs(paragraph):
    return [run for run in paragraph.runs if run.text]


def _paragraph(container, text):
    found = [p for p in container.paragraphs if p.text == text]
    assert found, f"{text!r} not in {[p.text for p in container.paragraphs]}"
    return found[0]


def _style(paragraph):
    """(size in pt, bold, italic) of a paragraph's text, the same on every run."""
    runs = _runs(paragraph)
    assert runs
    styles = {(run.font.size.pt, bool(run.font.bold), bool(run.font.italic)) for run in runs}
    assert len(styles) == 1, styles
    return styles.pop()


def _has_bottom_border(paragraph) -> bool:
    borders = paragraph._p.pPr.find(qn("w:pBdr"))
    return borders is not None and borders.find(qn("w:bottom")) is not None


def _rule_width_mm(paragraph, column_mm) -> float:
    fmt = paragraph.paragraph_format
    return column_mm - 2 * 1.0 - fmt.left_indent.mm - fmt.right_indent.mm


@pytest.fixture
def issued_in_june(draft, chief):
    return _issue_on(draft, chief, datetime.date(timezone.localdate().year + 1, 6, 5))


def test_docx_page_is_a4_with_the_decrees_margins(issued_in_june):
    section = _docx(issued_in_june).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20


def test_docx_every_run_is_times_new_roman_also_for_vietnamese(issued_in_june):
    doc = _docx(issued_in_june)
    paragraphs = list(doc.paragraphs)
    for table in doc.tables:
        for cell in table._cells:
            paragraphs += cell.paragraphs
    runs = [run for p in paragraphs for run in _runs(p)]
    assert len(runs) > 20
    for run in runs:
        fonts = run._element.rPr.find(qn("w:rFonts"))
        assert run.font.name == "Times New Roman"
        assert fonts.get(qn("w:eastAsia")) == "Times New Roman"
        assert run.font.color.rgb is None  # automatic colour: black


def test_docx_header_has_two_columns_with_widths_libreoffice_honours(issued_in_june):
    header = _docx(issued_in_june).tables[0]
    widths = [round(column.width.mm) for column in header.columns]
    assert widths == [65, 100]
    for column in header.columns:
        assert {round(cell.width.mm) for cell in column.cells} == {round(column.width.mm)}


def test_docx_header_left_column(issued_in_june):
    header = _docx(issued_in_june).tables[0]
    left = header.cell(0, 0)
    assert [p.text for p in left.paragraphs if p.text] == [
        "UBND TỈNH LONG AN",
        "ỦY BAN NHÂN DÂN",
        "HUYỆN VĨNH HƯNG",
    ]
    assert _style(_paragraph(left, "UBND TỈNH LONG AN")) == (13, False, False)
    assert _style(_paragraph(left, "ỦY BAN NHÂN DÂN")) == (13, True, False)
    assert _style(_paragraph(left, "HUYỆN VĨNH HƯNG")) == (13, True, False)
    rule = left.paragraphs[-1]
    assert rule.text == "" and _has_bottom_border(rule)
    text = letters.text_width_mm("HUYỆN VĨNH HƯNG", size=13, bold=True)
    assert text / 3 <= _rule_width_mm(rule, 65) <= text / 2  # 1/3 to 1/2 of the text
    number = header.cell(1, 0).paragraphs[0]
    assert number.text == "Số: 01/UBND-VP"  # leading zero
    assert _style(number) == (13, False, False)
    subject = header.cell(2, 0).paragraphs[0]
    assert subject.text == f"V/v {issued_in_june.subject}"
    assert _style(subject)[0] in (12, 13) and not _style(subject)[1]
    for paragraph in (*left.paragraphs, number, subject):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_docx_header_right_column(issued_in_june):
    header = _docx(issued_in_june).tables[0]
    right = header.cell(0, 1)
    title = _paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert _style(title) == (12, True, False)
    motto = _paragraph(right, "Độc lập - Tự do - Hạnh phúc")
    assert _style(motto) == (13, True, False)
    rule = right.paragraphs[-1]
    assert rule.text == "" and _has_bottom_border(rule)
    text = letters.text_width_mm("Độc lập - Tự do - Hạnh phúc", size=13, bold=True)
    assert _rule_width_mm(rule, 100) == pytest.approx(text, abs=0.5)  # as long as the motto
    date = header.cell(1, 1).paragraphs[0]
    year = timezone.localdate().year + 1
    assert date.text == f"Vĩnh Hưng, ngày 05 tháng 6 năm {year}"
    assert _style(date) == (13, False, True)


@pytest.mark.parametrize(("month", "shown"), [(1, "01"), (2, "02"), (6, "6"), (12, "12")])
def test_docx_date_line_pads_only_january_and_february(draft, chief, month, shown):
    day = datetime.date(timezone.localdate().year + 1, month, 7)
    letter = _issue_on(draft, chief, day)
    date = _docx(letter).tables[0].cell(1, 1).paragraphs[0].text
    assert date == f"Vĩnh Hưng, ngày 07 tháng {shown} năm {day.year}"


def test_docx_recipient_body_and_closing(issued_in_june):
    doc = _docx(issued_in_june)
    recipient = _paragraph(doc, "Kính gửi: Chủ tịch UBND xã Khánh Hưng.")
    assert _style(recipient) == (14, False, False)
    body = [p for p in doc.paragraphs if p.paragraph_format.first_line_indent]
    assert [p.text for p in body] == issued_in_june.body_paragraphs()
    for paragraph in body:
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert Cm(1) <= paragraph.paragraph_format.first_line_indent <= Cm(1.27)
        assert paragraph.paragraph_format.space_after >= Pt(6)
        assert _style(paragraph) == (14, False, False)
    assert body[-1].text.endswith("./.")


def test_docx_several_recipients_are_dash_lines_ending_with_a_full_stop(
    chief, offence_a, offence_b
):
    letter = services.draft_letter(
        kind="rectification", violations=[offence_a, offence_b], by=chief
    )
    texts = [p.text for p in _docx(letter).paragraphs]
    start = texts.index("Kính gửi:")
    assert texts[start + 1 : start + 3] == [
        "- Chủ tịch UBND xã Khánh Hưng;",
        "- Chủ tịch UBND xã Vĩnh Trị.",
    ]


def test_docx_copies_and_signature_block(issued_in_june):
    footer = _docx(issued_in_june).tables[1]
    left, right = footer.cell(0, 0), footer.cell(0, 1)
    label = _paragraph(left, "Nơi nhận:")
    assert _style(label) == (12, True, True)
    lines = [p for p in left.paragraphs if p.text and p.text != "Nơi nhận:"]
    assert [p.text for p in lines] == ["- Như trên;", "- CT, các PCT UBND (b/c);", "- Lưu: VT, VP."]
    assert {_style(p) for p in lines} == {(11, False, False)}
    signature = [p for p in right.paragraphs if p.text]
    assert [p.text for p in signature] == ["TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "Cán bộ chief"]
    assert {_style(p) for p in signature} == {(14, True, False)}
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in signature)
    empty_lines = [p for p in right.paragraphs if not p.text]
    assert len(empty_lines) >= 3  # room to sign
    assert footer.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None  # never split


def test_docx_deputy_signs_for_the_chief(draft, chief, deputy):
    Letter.objects.filter(pk=draft.pk).update(signer=deputy)
    letter = services.issue_letter(letter=draft, by=chief)
    signature = [p.text for p in _docx(letter).tables[1].cell(0, 1).paragraphs if p.text]
    assert signature == [
        "TL. CHỦ TỊCH",
        "KT. CHÁNH VĂN PHÒNG",
        "PHÓ CHÁNH VĂN PHÒNG",
        "Lê Thị Phó",
    ]


def test_docx_page_number_only_from_page_two_centred_at_the_top(issued_in_june):
    section = _docx(issued_in_june).sections[0]
    assert section.different_first_page_header_footer
    assert all(p.text == "" for p in section.first_page_header.paragraphs)
    header = section.header.paragraphs[0]
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    instructions = [i.text.strip() for i in header._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE"]


def test_signer_titles_are_data(draft, chief, authority, office):
    authority.chairman_title = "Chủ tịch"
    authority.save()
    chief.staff.position = "Chánh Văn phòng HĐND và UBND"
    chief.staff.save()
    letter = services.issue_letter(letter=Letter.objects.get(pk=draft.pk), by=chief)
    assert letter.signature_lines() == ["TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG HĐND VÀ UBND"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) missing")
def test_typical_letter_is_one_page_in_libreoffice(issued, tmp_path):
    (tmp_path / "letter.docx").write_bytes(_docx_bytes(issued))
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "letter.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert _pdf_pages(tmp_path / "letter.pdf") == 1


def _docx_bytes(letter) -> bytes:
    return render_docx(letters.document_for(Letter.objects.get(pk=letter.pk)))


def _pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_pdf_has_the_letters_texts_on_one_page(client, chief, issued, tmp_path):
    client.force_login(chief)
    response = client.get(reverse("discipline:letter_pdf", args=[issued.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="cong-van-01-UBND-VP-' in response["Content-Disposition"]
    (tmp_path / "letter.pdf").write_bytes(response.content)
    assert _pdf_pages(tmp_path / "letter.pdf") == 1
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "letter.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 01/UBND-VP",
        "Kính gửi: Chủ tịch UBND xã Khánh Hưng.",
        "./.",
        "Nơi nhận:",
        "TL. CHỦ TỊCH",
    ):
        assert expected in text, expected


def test_long_letter_numbers_its_pages_from_two(chief, unit_a, inspector, tmp_path):
    violations = [
        standing_violation(factories.staff(unit_a), by=inspector, days_ago=day)
        for day in range(1, 30)
    ]
    letter = services.draft_letter(kind="rectification", violations=violations, by=chief)
    pdf = letters_pdf(letter)
    (tmp_path / "long.pdf").write_bytes(pdf)
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils missing")
    pages = _pdf_pages(tmp_path / "long.pdf")
    assert pages >= 2
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "long.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    second = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(tmp_path / "long.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert first.lstrip().startswith("UBND TỈNH LONG AN")  # no number above page 1
    assert second.lstrip().startswith("2")


def letters_pdf(letter) -> bytes:
    from discipline.pdf import render_pdf

    return render_pdf(
        "discipline/letters/letter_page.html",
        {"document": letters.document_for(letter), "letter": letter, "screen": False},
    )


def test_print_view_uses_the_same_template_without_inline_styles_or_scripts(client, chief, issued):
    client.force_login(chief)
    response = client.get(reverse("discipline:letter_print", args=[issued.pk]))
    assert response.status_code == 200
    html = response.text
    assert "Số: 01/UBND-VP" in html
    assert "Kính gửi: Chủ tịch UBND xã Khánh Hưng." in html
    assert "style=" not in html
    assert re.search(r"<script(?![^>]*\ssrc=)", html) is None
    assert 'id="print-letter"' in html
    assert "css/letter.css" in html


def test_docx_download_is_named_after_the_number(client, chief, issued):
    client.force_login(chief)
    response = client.get(reverse("discipline:letter_docx", args=[issued.pk]))
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert (
        f'filename="cong-van-01-UBND-VP-{timezone.localdate().year}.docx"'
        in (response["Content-Disposition"])
    )
    assert Document(io.BytesIO(response.content)).tables[0].cell(1, 0).text == "Số: 01/UBND-VP"
