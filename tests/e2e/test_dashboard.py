"""The leader's dashboard in Chromium: filter to Khánh Hưng and the current quarter, see the
four charts drawn under the strict CSP (no console error), download the quarter's .xlsx, check
that a province's six-digit figures fit their tiles, and look at the page on a desktop and on a
360 px phone (screenshots in /tmp)."""

import io
from pathlib import Path

from django.utils import timezone
from openpyxl import load_workbook

from tests.e2e.conftest import log_in

SHOTS = Path("/tmp")
CHARTS = ["chart-months", "chart-categories", "chart-units", "chart-visits"]

# True when the canvas has at least one painted pixel.
PAINTED = """(id) => {
  const canvas = document.getElementById(id);
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) return true; }
  return false;
}"""


def test_leader_filters_the_dashboard_and_downloads_the_quarter(page, demo_site, console):
    base = demo_site.url
    today = timezone.localdate()
    quarter = f"{today.year}-q{(today.month - 1) // 3 + 1}"
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "leader")
    page.get_by_role("link", name="Bảng theo dõi", exact=True).first.click()
    page.wait_for_url("**/dashboard/")

    page.select_option("#id_period", quarter)
    page.select_option("#id_unit", label="UBND xã Khánh Hưng")
    page.get_by_role("button", name="Xem").click()
    page.wait_for_url(f"**/dashboard/?*period={quarter}*")
    assert "UBND xã Khánh Hưng — Quý" in page.locator("main").inner_text()

    for chart in CHARTS:
        canvas = page.locator(f"#{chart}")
        assert canvas.get_attribute("data-drawn") == "true", chart
        assert canvas.bounding_box()["height"] > 100, chart
        assert page.evaluate(PAINTED, chart), chart
    # The tables beside the charts hold the same figures.
    units = page.locator("#table-units tbody tr")
    assert units.count() == 1
    assert units.first.locator("th").inner_text() == "UBND xã Khánh Hưng"
    shown = int(units.first.locator("td").first.inner_text())
    assert shown >= 1
    page.screenshot(path=str(SHOTS / "kycuong-e2e-dashboard.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp .xlsx").click()
    name = download.value.suggested_filename
    assert name.startswith("bao-cao-") and name.endswith("-kh.xlsx")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames[0] == "Tổng hợp"
    matrix = book["Vi phạm theo đơn vị"]
    rows = {row[0]: row for row in matrix.iter_rows(min_row=2, values_only=True)}
    assert rows["UBND xã Khánh Hưng"][-2] == shown
    listing = list(book["Danh sách vi phạm"].iter_rows(min_row=2, values_only=True))
    assert len(listing) == shown
    assert {row[2] for row in listing} == {"UBND xã Khánh Hưng"}

    # A province's figures (six digits on each side of the slash) stay inside their tiles.
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('.figures .count')].filter((count) => {
          count.innerHTML = count.innerHTML.replace(/\\d+/g, '284889');
          return count.parentElement.scrollWidth > count.parentElement.clientWidth;
        }).length"""
    )
    assert too_wide == 0, f"{too_wide} key figures overflow their tiles"

    page.set_viewport_size({"width": 360, "height": 800})
    page.reload()
    for chart in CHARTS:
        assert page.locator(f"#{chart}").get_attribute("data-drawn") == "true"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(SHOTS / "kycuong-e2e-dashboard-360.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Báo cáo định kỳ", exact=True).first.click()
    page.wait_for_url(f"**/reports/?*period={quarter}*")
    assert page.locator("#table-summary").is_visible()
    page.screenshot(path=str(SHOTS / "kycuong-e2e-report.png"), full_page=True)
    console.assert_clean()
