"""Helpers for browser journeys: where screenshots go, and signing in the way a person does."""
from __future__ import annotations

from pathlib import Path

from tests.world import PASSWORD

#: The repository root, found from this file (tests/browser/helpers.py), never hard-coded.
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG to test-artifacts/screenshots/<name>.png (git-ignored) and return its path.

    It also fails when the page is wider than the window: a sideways scroll bar is a layout bug.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert_fits_window(page)
    return path


_WIDER_THAN_WINDOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.body.querySelectorAll('*')]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : ''))
    .slice(0, 5);
}"""


def assert_fits_window(page) -> None:
    """Fail when the page scrolls sideways, naming the first elements that stick out."""
    wider = page.evaluate(_WIDER_THAN_WINDOW)
    assert not wider, f"{page.url} is wider than the window because of: {', '.join(wider)}"


def sign_in(page, portal: str, email: str, password: str = PASSWORD, base: str = "") -> None:
    """Open /<portal>/login (on `base`, another server, when given), fill the form by its visible
    labels and press "Sign in"."""
    page.goto(f"{base}/{portal}/login")
    page.get_by_label("E-mail address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
