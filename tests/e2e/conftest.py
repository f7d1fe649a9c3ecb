"""Browser tests: Debian's Chromium driven by pytest-playwright against live_server.

Without /usr/bin/chromium they are skipped with a visible reason, unless
KYCUONG_REQUIRE_BROWSER=1 (set by .ci/run), in which case they fail."""

import os
import shutil

import pytest

# live_server runs Django in a thread while Playwright's sync API runs an event loop here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("KYCUONG_CHROMIUM", "/usr/bin/chromium")
HAVE_CHROMIUM = shutil.which(CHROMIUM) is not None
REQUIRED = os.environ.get("KYCUONG_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" not in str(item.fspath):
            continue
        item.add_marker(pytest.mark.browser)
        if not HAVE_CHROMIUM and not REQUIRED:
            item.add_marker(
                pytest.mark.skip(
                    reason=f"Chromium not found at {CHROMIUM}: "
                    "apt-get install -y --no-install-recommends chromium"
                )
            )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


# Chromium reports a blocked inline script on the console, but not every violation it blocks
# reaches the console the same way: the page's own `securitypolicyviolation` event does. Init
# scripts run through the DevTools protocol, which the page's CSP does not govern.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("Content Security Policy violation: " + event.violatedDirective
    + " blocked " + (event.blockedURI || "inline"));
});
"""


class ConsoleWatch:
    """Collects console errors and CSP violations of a page; tests assert it stays empty, and
    the `console` fixture fails any test whose pages broke the CSP, asserted or not."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.add_init_script(REPORT_CSP_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message):
        text = message.text
        if message.type == "error" or "Content Security Policy" in text:
            self.problems.append(f"{message.type}: {text}")

    @property
    def csp_violations(self) -> list[str]:
        return [p for p in self.problems if "Content Security Policy" in p]

    def assert_clean(self):
        assert self.problems == []


@pytest.fixture
def console(page):
    watch = ConsoleWatch(page)
    yield watch
    # Whatever the test asserted: a page that broke the CSP fails it.
    assert watch.csp_violations == [], "CSP violations in the browser console"


@pytest.fixture
def demo_site(serialized_rollback_db, live_server):
    """The demo district loaded into the live server's database."""
    from django.core.management import call_command

    call_command("loaddemo", "--force", verbosity=0)
    return live_server


def log_in(page, base_url: str, username: str):
    from discipline.demo import DEMO_PASSWORD

    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base_url}/")
