"""The letters tour: the office chief drafts a letter for the Khánh Hưng repeat offender from
the proposals, edits a paragraph, issues it as no. 01 of the year and downloads it; the unit
head of Khánh Hưng sees it and reports on the handling."""

import io
from pathlib import Path

from docx import Document

from tests import factories
from tests.e2e.conftest import log_in

SHOTS = Path("/tmp")
PNG = factories.tiny_png()


def test_chief_drafts_issues_and_unit_head_reports(page, demo_site, console):
    base = demo_site.url
    log_in(page, base, "chief")
    page.get_by_role("link", name="Đề xuất công văn", exact=True).first.click()
    page.wait_for_url("**/letters/proposals/")
    proposal = (
        page.locator("section.proposal")
        .filter(has_text="Yêu cầu kiểm điểm")
        .filter(has_text="UBND xã Khánh Hưng")
        .first
    )
    assert proposal.get_by_text("Chưa có công văn").is_visible()
    page.screenshot(path=str(SHOTS / "kycuong-e2e-proposals.png"), full_page=True)
    proposal.get_by_role("button", name="Soạn công văn").click()
    page.wait_for_url("**/letters/*/edit/")

    body = page.locator("#id_body")
    text = body.input_value()
    assert text.endswith("./.")
    edited = text.replace("Qua kiểm tra công vụ", "Qua kiểm tra công vụ đột xuất", 1)
    assert edited != text
    body.fill(edited)
    page.get_by_role("button", name="Lưu dự thảo").click()
    page.wait_for_url("**/letters/*/")
    assert page.get_by_text("Đã lưu dự thảo.").is_visible()
    assert page.locator(".paper").get_by_text("Qua kiểm tra công vụ đột xuất").is_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Ban hành (cấp số, ngày)").click()
    page.wait_for_selector("text=Đã ban hành công văn số 01/")
    assert page.locator(".paper .number").inner_text().startswith("Số: 01/UBND-VP")
    page.screenshot(path=str(SHOTS / "kycuong-e2e-letter-issued.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải .docx").click()
    assert download.value.suggested_filename.startswith("cong-van-01-UBND-VP-")
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert document.tables[0].cell(1, 0).text == "Số: 01/UBND-VP"
    assert any(p.text.startswith("Qua kiểm tra công vụ đột xuất") for p in document.paragraphs)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    letter_url = page.url

    page.get_by_role("link", name="Bản in").click()
    page.wait_for_url("**/print/")
    assert page.locator(".sheet .number").inner_text().startswith("Số: 01/UBND-VP")
    page.screenshot(path=str(SHOTS / "kycuong-e2e-letter-print.png"), full_page=True)
    console.assert_clean()

    page.goto(letter_url)
    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, base, "unithead")
    tile = page.locator("a.tile", has_text="Công văn chờ đơn vị báo cáo")
    assert tile.locator(".count").inner_text() == "1"
    tile.click()
    page.get_by_role("link", name="01/UBND-VP").first.click()
    page.wait_for_url(letter_url)
    page.get_by_role("link", name="Báo cáo kết quả xử lý").click()
    page.fill("#id_text", "Đã tổ chức kiểm điểm đồng chí vi phạm; biên bản kèm theo.")
    page.set_input_files(
        "#id_files", files=[{"name": "bien-ban.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_url(letter_url)
    assert page.get_by_text("Đã ghi nhận báo cáo của đơn vị.").is_visible()
    assert page.get_by_text("Đã nhận báo cáo").first.is_visible()
    assert page.get_by_role("link", name="bien-ban.png").is_visible()
    page.screenshot(path=str(SHOTS / "kycuong-e2e-letter-reported.png"), full_page=True)
    console.assert_clean()
