from tests.e2e.conftest import log_in


def test_inspector_logs_in_lands_home_and_opens_violations(page, demo_site, console):
    log_in(page, demo_site.url, "inspector")
    assert page.locator("h1").inner_text().startswith("Xin chào")
    assert page.get_by_text("Khiếu nại chờ kết luận").is_visible()
    page.get_by_role("link", name="Vi phạm", exact=True).first.click()
    page.wait_for_url("**/violations/")
    assert page.locator("table.list tbody tr").count() > 10
    page.screenshot(path="/tmp/kycuong-e2e-violations.png", full_page=True)
    console.assert_clean()


def test_login_page_has_no_csp_violation_and_wrong_password_message(page, demo_site, console):
    page.goto(f"{demo_site.url}/accounts/login/")
    page.fill("#id_username", "inspector")
    page.fill("#id_password", "sai-mat-khau")
    page.click("button.primary")
    assert page.locator(".errors").inner_text().strip() != ""
    assert "Đăng nhập" in page.title()
    console.assert_clean()
