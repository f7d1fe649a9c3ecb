"""The browser tests' `console` fixture catches CSP violations: an inline script the policy
blocks is reported, and does not run."""


def test_console_watch_flags_an_inline_script_the_csp_blocks(
    page, serialized_rollback_db, live_server, console
):
    page.goto(f"{live_server.url}/accounts/login/")
    assert console.problems == []

    # What an injected <script> would do (a template mistake, or an XSS): the CSP blocks it.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.ranInline = true;";
            document.body.appendChild(script);
        }"""
    )
    page.wait_for_timeout(200)

    assert page.evaluate("() => window.ranInline === true") is False
    assert console.csp_violations, console.problems
    assert any("script-src" in p for p in console.csp_violations), console.problems
    # Clean up, or the fixture would (rightly) fail this test at teardown.
    console.problems.clear()
