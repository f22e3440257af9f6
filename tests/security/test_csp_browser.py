"""The Content-Security-Policy holds in a real browser (docs/security.md §5): no page breaks it.

The demo is served as a user runs it (`jingkai serve`, the fixture of the every-chart test); Chromium signs in as
each demo role and walks the site from the home page through the links it shows (the navigation, the lists, the
profiles), plus the pages with charts, the API documentation and the admin site. Every page is watched for
`securitypolicyviolation` events (an init script, which the policy does not govern) and for the console's
"Refused to …" lines; a violation anywhere fails the test with the page and the directive.
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.shell.test_every_chart_browser import VISITS, demo_server, sign_in  # noqa: F401 (a fixture)

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  {directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile, line: e.lineNumber}
));
"""
# Pages each role opens besides what it reaches by links.
EXTRA = {"zone_admin": ["/api/docs", "/admin/", "/admin/enterprises/enterprise/"]}
SKIP = ("/logout", "/static/", "/media/", "/csp-report")
PER_ROLE = 45  # distinct paths per role (the query string is ignored)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("persona", list(VISITS))
def test_no_page_violates_the_content_security_policy(demo_server, browser, persona):  # noqa: F811
    url, ids = demo_server
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    context.add_init_script(WATCH)
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append((page.url, message.text)) if "Content Security Policy" in message.text else None
        ),
    )
    sign_in(page, url, persona)
    queue = ["/", *(path.format(**ids) for path in VISITS[persona]), *EXTRA.get(persona, [])]
    seen: set[str] = set()
    violations = []
    while queue and len(seen) < PER_ROLE:
        target = queue.pop(0)
        path = urlsplit(target).path
        if path in seen or path.startswith(SKIP) or path.endswith((".xlsx", ".xls", ".csv")):
            continue
        seen.add(path)
        response = page.goto(url + target)
        if response is None or response.headers.get("content-type", "").split(";")[0] != "text/html":
            continue
        # htmx panels and charts have arrived and drawn (a page that keeps polling never goes idle)
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_load_state("networkidle", timeout=10_000)
        assert "content-security-policy" in response.headers, target
        violations += [(target, v) for v in page.evaluate("window.__csp")]
        links = page.evaluate(
            "() => Array.from(document.querySelectorAll('a[href^=\"/\"]')).map(a => a.getAttribute('href'))"
        )
        queue += [link for link in links if urlsplit(link).path not in seen]
    context.close()
    assert len(seen) >= min(PER_ROLE, 5), seen  # the walk did reach the site
    assert violations == [], violations
    assert refused == [], refused
