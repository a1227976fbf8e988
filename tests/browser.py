"""Browser fixtures: real Chromium (Debian package) driven by Playwright, axe-core checks.

Loaded as a pytest plugin from conftest.py. Browser tests run on SQLite only
(they test the UI, not the database) and carry the ``browser`` marker.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from tests.conftest import require_tool

    require_tool(CHROMIUM, "Chromium")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made
    # by fixtures here are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    # bypass_csp lets the test inject axe-core; the product keeps its strict policy.
    context = browser.new_context(locale="de-DE", base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login_as(page: Any, live_server: Any) -> Callable[[str], Any]:
    """``login_as("s.wagner")``: the page gets that user's session (no password round trip)."""
    from django.conf import settings
    from django.test import Client

    from buergerticket.org.models import User

    def login(username: str) -> Any:
        client = Client()
        client.force_login(User.objects.get(username=username))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "url": live_server.url,
                }
            ]
        )
        return page

    return login


def axe_violations(page: Any, *, exclude: list[str] | None = None) -> list[dict[str, Any]]:
    """Run axe-core with the WCAG 2.1 A/AA rules on the current page."""
    if not AXE.exists():
        pytest.fail(f"axe-core fehlt ({AXE}); bitte 'npm ci' ausführen.")
    page.add_script_tag(path=str(AXE))
    context: Any = {"exclude": [[s] for s in exclude]} if exclude else "document"
    result = page.evaluate(
        "async ([ctx, tags]) => await axe.run(ctx === 'document' ? document : ctx,"
        " {runOnly: {type: 'tag', values: tags}})",
        [context, WCAG_TAGS],
    )
    return list(result["violations"])


def assert_accessible(page: Any, **kwargs: Any) -> None:
    violations = axe_violations(page, **kwargs)
    if violations:
        lines = [f"{page.url}: {len(violations)} axe-Verstöße"]
        for v in violations:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} → {targets}")
        pytest.fail("\n".join(lines))
