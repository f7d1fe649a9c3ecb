"""The unit head's side of the workflow in a real browser, on the demo district."""

import datetime

from django.utils import timezone

from tests.e2e.conftest import log_in


def _switch_user(page, base_url, username):
    page.context.clear_cookies()
    log_in(page, base_url, username)


def test_unit_head_disputes_inspector_upholds_unit_head_acknowledges(page, demo_site, console):
    from django.contrib.auth.models import User

    from discipline.models import Violation

    target = (
        Violation.objects.filter(unit__code="KH", status="notified")
        .order_by("-occurred_at")
        .first()
    )
    url = f"{demo_site.url}{target.get_absolute_url()}"

    # 1. The unit head finds it in the inbox and disputes it with an explanation.
    log_in(page, demo_site.url, "unithead")
    page.get_by_role("link", name="Vi phạm chờ đơn vị trả lời").click()
    page.wait_for_url("**/inbox/**")
    page.locator(f'a[href="{target.get_absolute_url()}"]').first.click()
    page.wait_for_url(url)
    page.get_by_text("Khiếu nại vi phạm", exact=True).click()
    page.fill(
        "#id_dispute_explanation", "Đồng chí đi họp tại UBND huyện theo giấy mời số 12/GM-UBND."
    )
    page.get_by_role("button", name="Gửi khiếu nại").click()
    page.wait_for_url(url)
    assert "Đã gửi khiếu nại" in page.locator(".messages").inner_text()
    assert page.locator(".status-line").inner_text().startswith("Có khiếu nại")
    page.screenshot(path="/tmp/kycuong-e2e-disputed.png", full_page=True)

    # 2. The inspector sees the dispute from the home page and upholds the violation.
    _switch_user(page, demo_site.url, "inspector")
    page.get_by_role("link", name="Khiếu nại chờ kết luận").click()
    page.wait_for_url("**/violations/?status=disputed")
    page.locator(f'a[href="{target.get_absolute_url()}"]').first.click()
    page.wait_for_url(url)
    assert "giấy mời số 12/GM-UBND" in page.locator(".facts").inner_text()
    page.get_by_label("Giữ nguyên: vi phạm được xác định").check()
    page.fill("#id_rule_reason", "Giấy mời họp lúc 14 giờ; vi phạm lúc 7 giờ 45.")
    page.get_by_role("button", name="Ghi nhận kết luận").click()
    page.wait_for_url(url)
    assert page.locator(".status-line").inner_text().startswith("Giữ nguyên")

    # 3. The unit head is told (the bell), sees the ruling and reports the corrective action.
    _switch_user(page, demo_site.url, "unithead")
    assert page.locator(".bell .badge").inner_text().strip() != ""
    page.locator(".bell").click()
    page.wait_for_url("**/notifications/")
    page.locator(".notification.unread").filter(has_text="giữ nguyên").first.locator(
        "button"
    ).click()
    page.wait_for_url(url)
    assert "Giấy mời họp lúc 14 giờ" in page.locator(".facts").inner_text()
    page.fill("#id_acknowledge_corrective_action", "Đã nhắc nhở; đồng chí viết bản kiểm điểm.")
    page.get_by_role("button", name="Thừa nhận").click()
    page.wait_for_url(url)
    assert "Đã thừa nhận" in page.locator(".messages").inner_text()

    # The timeline shows every step, each with who took it.
    timeline = page.locator(".timeline").inner_text()
    unithead_name = User.objects.get(username="unithead").staff.full_name
    inspector_name = User.objects.get(username="inspector").staff.full_name
    steps = [
        ("Đã thông báo thủ trưởng", inspector_name),
        ("Đơn vị khiếu nại", unithead_name),
        ("Kết luận: giữ nguyên vi phạm", inspector_name),
        ("Đơn vị thừa nhận, báo cáo biện pháp khắc phục", unithead_name),
    ]
    entries = page.locator(".timeline-entry")
    texts = [entries.nth(i).inner_text() for i in range(entries.count())]
    positions = []
    for label, actor in steps:
        index = next(i for i, text in enumerate(texts) if label in text)
        assert actor in texts[index]
        positions.append(index)
    assert positions == sorted(positions)
    assert "đồng chí viết bản kiểm điểm" in timeline
    page.screenshot(path="/tmp/kycuong-e2e-timeline.png", full_page=True)
    console.assert_clean()


def test_inspector_records_a_violation_and_notifies_the_head(page, demo_site, console):
    log_in(page, demo_site.url, "inspector")
    page.get_by_role("link", name="Ghi nhận vi phạm phát hiện ngoài đợt kiểm tra").click()
    page.wait_for_url("**/violations/new/")
    # Choosing the unit reloads the page with its staff (static/js/autosubmit.js).
    page.select_option("#id_unit", label="UBND xã Khánh Hưng")
    page.wait_for_url("**/violations/new/?unit=*")
    page.select_option("#id_staff", index=3)
    page.select_option(
        "#id_type", label="Thái độ phục vụ Nhân dân chưa tốt, gây phiền hà cho tổ chức, công dân"
    )
    when = timezone.localtime(timezone.now() - datetime.timedelta(hours=1))
    page.fill("#id_occurred_at", when.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_description", "Công dân phản ánh qua đường dây nóng.")
    page.get_by_role("button", name="Ghi nhận vi phạm").click()
    page.wait_for_url("**/violations/*/")
    assert page.locator(".status-line").inner_text().startswith("Đã thông báo thủ trưởng")
    assert "Công dân phản ánh qua đường dây nóng." in page.locator(".facts").inner_text()
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path="/tmp/kycuong-e2e-recorded-360.png", full_page=True)
    console.assert_clean()
