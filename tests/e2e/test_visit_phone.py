"""An inspector runs an unannounced visit from a phone (360 px, Vietnamese, touch)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.factories import tiny_png


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
    }


def _plan_and_start(page, base_url):
    log_in(page, base_url, "inspector")
    page.locator("a.tile", has_text="Lên kế hoạch kiểm tra đột xuất").click()
    page.wait_for_url("**/visits/planner/")
    proposal = page.locator(".proposal").first
    unit = proposal.locator("strong").inner_text()
    proposal.get_by_role("button", name="Kiểm tra đột xuất hôm nay").click()
    expect(page.locator(".message.success")).to_contain_text(unit)
    page.get_by_role("button", name="Bắt đầu kiểm tra ngay").click()
    page.wait_for_url("**/roll/")
    return unit


def test_inspector_plans_runs_and_finishes_an_unannounced_visit_on_a_phone(
    page, demo_site, console
):
    unit = _plan_and_start(page, demo_site.url)
    expect(page.locator("h1")).to_have_text(unit)
    cards = page.locator("article.entry")
    first, second = cards.nth(0), cards.nth(1)
    absent_name = first.locator(".entry-name").inner_text()

    first.locator("label.chip-absent_without_reason").click()
    expect(first.locator(".save-state")).to_have_text("Đã lưu")
    expect(first.locator(".entry-findings")).to_contain_text("Vắng không lý do")
    second.get_by_text("Không đeo thẻ").click()
    expect(second.locator(".save-state")).to_have_text("Đã lưu")
    expect(second.locator(".entry-findings")).to_contain_text("Không đeo thẻ")
    page.screenshot(path="/tmp/kycuong-e2e-roll-360.png")
    page.screenshot(path="/tmp/kycuong-e2e-roll-360-full.png", full_page=True)

    # A photo of the second person, from the phone's camera input.
    second.get_by_role("link", name="Ảnh / tệp").click()
    expect(page.locator("#id_photo")).to_have_attribute("capture", "environment")
    page.set_input_files(
        "#id_photo", files=[{"name": "the.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    page.get_by_role("button", name="Đính kèm").click()
    page.wait_for_url("**/roll/#entry-*")
    expect(page.locator(".message.success")).to_contain_text("the.png")

    # Marks survived the trip to the evidence page: they were saved, not only shown.
    expect(
        page.locator("article.entry").nth(0).locator("input[value=absent_without_reason]")
    ).to_be_checked()

    page.get_by_role("link", name="Kết thúc kiểm tra").click()
    expect(page.locator(".card h2").first).to_contain_text("2 kết quả")
    page.fill("#id_summary", "Đề nghị đơn vị chấn chỉnh giờ giấc, đeo thẻ.")
    page.fill("#id_unit_representative", "Trần Văn Bình, Phó Chủ tịch UBND")
    page.get_by_role("button", name="Kết thúc và ghi nhận vi phạm").click()
    expect(page.locator(".message.success")).to_contain_text("ghi nhận 2 vi phạm")
    violations = page.locator(".violation-row")
    expect(violations).to_have_count(2)
    expect(violations.filter(has_text=absent_name)).to_contain_text("Vắng mặt")
    expect(page.get_by_text("the.png")).to_be_visible()
    page.screenshot(path="/tmp/kycuong-e2e-visit-finished-360.png", full_page=True)

    page.get_by_role("link", name="Biên bản (bản in)").click()
    expect(page.locator("h1.doc-title")).to_have_text("BIÊN BẢN")
    expect(page.locator(".roll-table")).to_contain_text(absent_name)
    expect(page.locator(".signatures")).to_contain_text("Trần Văn Bình")
    page.screenshot(path="/tmp/kycuong-e2e-minutes-360.png", full_page=True)
    pdf = page.request.get(page.url.replace("/minutes/", "/minutes.pdf"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    console.assert_clean()


def test_roll_keeps_marks_made_offline_and_sends_them_when_back_online(page, demo_site, console):
    _plan_and_start(page, demo_site.url)
    card = page.locator("article.entry").nth(0)
    page.context.set_offline(True)
    card.locator("label.chip-on_leave").click()
    expect(card.locator(".save-state")).to_have_text("Chưa lưu")
    banner = page.locator("#sync-banner")
    expect(banner).to_contain_text("1 thay đổi chưa lưu")
    page.screenshot(path="/tmp/kycuong-e2e-roll-offline-360.png")
    # Still offline, the page is reloaded from the browser's memory of it: the mark is kept.
    stored = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('kycuong.unsaved.'))"
    )
    assert len(stored) == 1
    page.context.set_offline(False)
    expect(card.locator(".save-state")).to_have_text("Đã lưu", timeout=20_000)
    expect(banner).to_be_hidden()
    page.reload()
    expect(page.locator("article.entry").nth(0).locator("input[value=on_leave]")).to_be_checked()
    assert page.evaluate("Object.keys(localStorage).length") == 0

    # A mark the server refuses is not queued forever: the reason shows on the card.
    other = page.locator("article.entry").nth(1)
    other.locator("label.chip-late").click()
    expect(other.locator(".save-state")).to_have_text("Đã lưu")
    other.locator("input[name=arrived_at]").fill("00:01")
    expect(other.locator(".entry-errors")).to_contain_text("sớm hơn lúc bắt đầu")
    expect(other.locator(".save-state")).to_have_text("Không lưu được")
    expect(banner).to_be_hidden()
    # Going offline makes Chromium log failed requests; only CSP problems matter here.
    assert [p for p in console.problems if "Content Security Policy" in p] == []
