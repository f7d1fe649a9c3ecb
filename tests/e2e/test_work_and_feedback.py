"""Issue 7 in a real browser: a citizen follows the QR code of a poster on a phone and reports;
an inspector turns the report into a violation; a unit head assigns a task that a staff member
completes and the head accepts."""

import datetime
import io

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import ConsoleWatch, log_in

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
    "timezone_id": "Asia/Ho_Chi_Minh",
}


def read_qr(png: bytes) -> str:
    import zxingcpp
    from PIL import Image

    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return code.text


def log_out(page):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/accounts/login/**")


def test_citizen_reports_from_the_qr_link_and_inspector_makes_it_a_violation(
    page, browser, demo_site, console, settings
):
    from units.models import Staff, Unit

    base = demo_site.url
    settings.SITE_URL = base  # the posters point at this live server
    khanh_hung = Unit.objects.get(code="KH")
    official = Staff.objects.filter(unit=khanh_hung, is_active=True).order_by("full_name")[3]

    # The inspector prints Khánh Hưng's poster; its QR code is read like a phone camera would.
    log_in(page, base, "inspector")
    page.get_by_role("link", name="Phản ánh của người dân", exact=True).first.click()
    page.get_by_role("link", name="Theo đơn vị, lời khen và áp phích").click()
    page.get_by_role("row", name="UBND xã Khánh Hưng").get_by_role(
        "link", name="Áp phích mã QR"
    ).click()
    page.wait_for_url("**/poster/")
    assert page.get_by_role("button", name="In áp phích").is_visible()  # print.js ran
    address = read_qr(page.locator(".poster-qr svg").screenshot())
    assert address == f"{base}/gop-y/{khanh_hung.feedback_token}/"
    page.screenshot(path="/tmp/kycuong-e2e-poster.png", full_page=True)

    # A citizen on a phone, scripts off, follows the code and reports.
    phone = browser.new_context(**PHONE, java_script_enabled=False)
    citizen = phone.new_page()
    citizen_console = ConsoleWatch(citizen)
    citizen.goto(address)
    assert citizen.locator("h1").inner_text().startswith("Phản ánh, góp ý")
    citizen.get_by_text("Thái độ phục vụ chưa tốt").click()
    citizen.get_by_label("Nội dung sự việc").fill(
        "Sáng nay tôi hỏi thủ tục thì bị trả lời cộc lốc. <b>Không</b> hướng dẫn gì."
    )
    citizen.get_by_label("Cán bộ liên quan (nếu biết)").select_option(str(official.pk))
    citizen.screenshot(path="/tmp/kycuong-e2e-feedback-phone.png", full_page=True)
    citizen.get_by_role("button", name="Gửi").click()
    citizen.wait_for_url("**/cam-on/")
    assert citizen.locator("h1").inner_text() == "Xin cảm ơn"
    citizen_console.assert_clean()
    phone.close()

    # The inspector finds it among the new items and turns it into a violation.
    page.get_by_role("link", name="Phản ánh của người dân", exact=True).first.click()
    row = page.get_by_role("row").filter(has_text="trả lời cộc lốc")
    row.get_by_role("link").first.click()
    assert "<b>Không</b> hướng dẫn gì." in page.locator(".citizen-text").inner_text()
    page.get_by_role("link", name="Ghi nhận vi phạm").click()
    assert page.get_by_label("Cán bộ, công chức").input_value() == str(official.pk)
    assert "Thái độ phục vụ" in page.locator("#id_type option:checked").inner_text()
    assert "trả lời cộc lốc" in page.get_by_label("Mô tả").input_value()
    page.get_by_role("button", name="Ghi nhận vi phạm").click()
    page.wait_for_url("**/violations/*/")
    facts = page.locator(".facts").inner_text()
    assert official.full_name in facts
    assert "Phản ánh của người dân" in facts
    page.get_by_role("link", name="nội dung phản ánh").click()
    expect(page.locator(".facts")).to_contain_text("Đã chuyển thành vi phạm")
    assert page.get_by_role("link", name="Ghi nhận vi phạm").count() == 0  # triaged once
    console.assert_clean()


def test_unit_head_assigns_a_task_that_a_staff_member_completes(page, demo_site, console):
    from django.contrib.auth.models import User

    base = demo_site.url
    canbo = User.objects.get(username="canbo").staff
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()

    log_in(page, base, "unithead")
    page.get_by_role("link", name="Công việc", exact=True).first.click()
    page.get_by_role("link", name="Việc của đơn vị").click()
    page.get_by_role("link", name="Giao việc").click()
    page.get_by_label("Giao cho").select_option(str(canbo.pk))
    page.get_by_role("textbox", name="Công việc", exact=True).fill(
        "Lập danh sách hồ sơ trễ hẹn tháng này"
    )
    page.get_by_label("Kết quả cần đạt").fill("Danh sách kèm lý do trễ, gửi trước thứ Sáu.")
    page.get_by_label("Hạn hoàn thành").fill(due)
    page.get_by_role("button", name="Giao việc").click()
    page.wait_for_url("**/tasks/*/")
    expect(page.locator(".messages")).to_contain_text("Đã giao việc cho")
    task_url = page.url
    log_out(page)

    # The staff member sees it on the home page and in their tasks, and reports it done.
    log_in(page, base, "canbo")
    page.get_by_role("link", name="Công việc", exact=True).first.click()
    page.get_by_role("link", name="Lập danh sách hồ sơ trễ hẹn tháng này").click()
    assert page.url == task_url
    page.get_by_role("button", name="Bắt đầu thực hiện").click()
    expect(page.locator(".messages")).to_contain_text("Đã ghi nhận tiến độ.")
    page.get_by_label("Những việc đã làm").fill("Đã lập danh sách 7 hồ sơ, gửi qua phần mềm.")
    page.get_by_role("button", name="Đã hoàn thành").click()
    expect(page.locator(".facts")).to_contain_text("Đã hoàn thành, chờ duyệt")
    page.screenshot(path="/tmp/kycuong-e2e-task-completed.png", full_page=True)
    log_out(page)

    # The head accepts it.
    log_in(page, base, "unithead")
    page.goto(task_url)
    page.get_by_label("Nhận xét").fill("Đạt yêu cầu.")
    page.get_by_role("button", name="Chấp nhận").click()
    expect(page.locator(".facts")).to_contain_text("Đã chấp nhận")
    events = page.locator(".timeline li").all_inner_texts()
    assert [e.split("\n")[1].split(" —")[0] for e in events] == [
        "Đã giao",
        "Báo cáo tiến độ",
        "Đã hoàn thành",
        "Đã chấp nhận",
    ]
    log_out(page)

    # An inspector visiting Khánh Hưng sees, on the roll, who kept their work diary.
    from inspections.selectors import DIARY_DAYS
    from units.calendar import working_days_back
    from units.models import DiaryEntry, Unit

    khanh_hung = Unit.objects.get(code="KH")
    window = working_days_back(timezone.localdate() - datetime.timedelta(days=1), DIARY_DAYS)
    written = (
        DiaryEntry.objects.filter(staff__unit=khanh_hung, staff__is_active=True, day__in=window)
        .values("staff", "day")
        .distinct()
        .count()
    )
    assert written > 0  # the demo's diarists
    log_in(page, base, "inspector")
    page.goto(f"{base}/visits/plan/?unit={khanh_hung.pk}")
    page.get_by_role("button", name="Lưu kế hoạch kiểm tra").click()
    page.get_by_role("button", name="Bắt đầu kiểm tra ngay").click()
    page.wait_for_url("**/roll/")
    card = page.locator("article.entry", has_text=canbo.full_name)
    expect(card.locator(".diary-days")).to_be_visible()
    expect(page.locator(".diary-day.written")).to_have_count(written)
    expect(page.locator(".diary-summary")).to_contain_text("Sổ nhật ký công việc trong 5 ngày")
    page.screenshot(path="/tmp/kycuong-e2e-roll-diary.png", full_page=True)
    console.assert_clean()
