"""Browser journeys: Playwright driving Debian's Chromium against Django's live server.

Screenshots of each main page are written to test-output/screenshots/. Without Chromium the browser
tests are skipped on a developer's machine and fail in CI (CI=true), where .ci/run installs it.
"""

import os
import re
from pathlib import Path

import pytest

from tests.factories import TEST_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
BROWSER_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every browser test is ``slow`` (``make test-fast`` leaves them out). The hook sees the whole session's
    items, not only this folder's: mark only those under tests/browser/."""
    for item in items:
        if BROWSER_TESTS in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module. While it runs, Playwright's event loop sits in this thread, so Django's
    ORM calls from the tests need DJANGO_ALLOW_ASYNC_UNSAFE; it is set only for that time."""
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def browser_reference_data(reference_data):
    """Every browser test starts with the boroughs, roles and lawful bases in place."""


@pytest.fixture
def browse(chromium, live_server):
    """Open a fresh browser context signed in as ``user``: ``page = browse(user)``."""
    contexts = []

    def open_as(user):
        context = chromium.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/sign-in/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/$"))
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}--{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def fill_date(page, label: str, day) -> None:
    """Type ``day`` (a date) into the day, month and year boxes of the date question called ``label``."""
    group = page.get_by_role("group", name=label, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
