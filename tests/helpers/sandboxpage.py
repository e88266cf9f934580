"""The sandbox page in a real browser: Debian's Chromium, headless, driven by Selenium through
the system chromedriver (given by path, so Selenium never downloads a browser or a driver).

`browser()` skips the test, with one line saying what to install, where there is no browser.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # browser() then skips, saying what to install
    webdriver = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW = (1280, 900)
WAIT = 10.0
NO_BROWSER = ("no browser: the sandbox's browser tests need Debian's chromium and chromium-driver "
              "and the selenium package (bash tests/run installs them)")


def _found() -> tuple[str, str] | None:
    chromium = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    driver = str(CHROMEDRIVER) if CHROMEDRIVER.exists() else shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


@contextmanager
def browser() -> Iterator[Any]:
    found = _found()
    if found is None or webdriver is None:
        pytest.skip(NO_BROWSER)
    chromium, driver = found
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 f"--window-size={WINDOW[0]},{WINDOW[1]}", "--lang=en-GB", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    try:
        yield chrome
    finally:
        chrome.quit()


class Page:
    """The sandbox page as someone uses it: type, click, confirm, fill a modal, switch person."""

    def __init__(self, driver: Any, url: str) -> None:
        self.driver = driver
        self.url = url
        # The page redraws what changed as the local Slack changes: look again rather than fail.
        self.wait = WebDriverWait(driver, WAIT, ignored_exceptions=(NoSuchElementException,
                                                                    StaleElementReferenceException))

    def open(self, user_id: str) -> None:
        self.driver.get(f"{self.url}?as={user_id}")
        self.wait.until(lambda d: d.execute_script("return document.getElementById('person').value") == user_id)

    def find(self, css: str) -> Any:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list[Any]:
        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def xpath(self, path: str) -> Any:
        return self.wait.until(lambda d: d.find_element(By.XPATH, path))

    def type(self, text: str) -> None:
        box = self.find("#composer")
        box.clear()
        box.send_keys(text + "\n")

    def ephemerals(self) -> list[Any]:
        return self.find_all("#timeline .message.ephemeral")

    def wait_for_ephemeral(self, containing: str, after: int = 0) -> Any:
        """The first ephemeral (counting from `after`) whose text contains `containing`."""
        def found(_: Any) -> Any:
            for message in self.ephemerals()[after:]:
                if containing in message.text:
                    return message
            return None
        return self.wait.until(found)

    def action_button(self, message: Any, ref: str, label: str) -> Any:
        """The `label` button under action `ref` in a status or list message."""
        return message.find_element(By.XPATH, f".//div[contains(@class,'bk-section')][.//b[normalize-space()='{ref}']]"
                                              f"/following-sibling::div[contains(@class,'bk-actions')][1]"
                                              f"//button[normalize-space()='{label}']")

    def confirm(self, expected_title: str) -> None:
        self.wait.until(lambda d: not self.find("#confirm-layer").get_attribute("hidden"))
        assert self.find("#confirm-title").text == expected_title
        self.find("#confirm-yes").click()

    def modal(self) -> Any:
        return self.wait.until(lambda d: self.find("#modal") if self.find("#modal").is_displayed() else None)

    def modal_closed(self) -> None:
        self.wait.until(lambda d: not self.find("#modal-layer").is_displayed())

    def field_error(self, block_id: str) -> str:
        return str(self.find(f"#modal-body .bk-input[data-block-id='{block_id}'] .bk-input-error").text)

    def wait_for_field_error(self, block_id: str) -> str:
        self.wait.until(lambda d: self.field_error(block_id))
        return self.field_error(block_id)

    def set_value(self, css: str, value: str) -> None:
        """Set an input as a person would leave it (date inputs take no typing portably)."""
        self.driver.execute_script(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1];"
            "e.dispatchEvent(new Event('input')); e.dispatchEvent(new Event('change'));", css, value)

    def switch_to(self, user_id: str) -> None:
        Select(self.find("#person")).select_by_value(user_id)
        self.wait.until(lambda d: user_id in self.find("#who").get_attribute("innerHTML") or
                        self.driver.execute_script("return document.getElementById('person').value") == user_id)

    def screenshot(self, path: Path, shown_time: str) -> None:
        """The window as it is, with every message's time shown as `shown_time` (the test's pinned
        clock) so that the picture changes only when the page does."""
        self.driver.execute_script(
            "for (const t of document.querySelectorAll('.message .time')) t.textContent = arguments[0];"
            "if (document.activeElement) document.activeElement.blur();", shown_time)  # no blinking caret
        self.driver.save_screenshot(str(path))

    def scroll_to_top_of(self, element: Any) -> None:
        self.driver.execute_script(
            "const t = document.getElementById('timeline'); t.scrollTop = arguments[0].offsetTop - t.offsetTop - 8;",
            element)
