#!/usr/bin/env python3
"""End-to-end test of the web client (Solutions/IMServer/Public) in two headless Chromium windows.

Two fresh users register through the UI, each in its own browser; A starts a chat with B and
sends a message; B sees the unread badge, opens the chat and sees the message; B replies and A
sees the reply live. Both windows must say they are live over the WebSocket; a reload of B's page
must keep the history.

Environment:
  IM_SERVER_URL   the server's base URL (default http://127.0.0.1:8080)
  IM_ARTIFACTS    where screenshots go (default: a new temporary directory)
  CHROMIUM_BIN    the browser (default: /usr/bin/chromium)
  CHROMEDRIVER    the driver (default: /usr/bin/chromedriver)

Needs: Debian's `chromium` and `chromium-driver`, and `selenium` from PyPI.
Prints `1 passed, 0 failed` or `0 passed, 1 failed` last and exits 0 or 1.
"""

import os
import secrets
import sys
import tempfile
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 15  # seconds, for every explicit wait


def log(text):
    print(text, flush=True)


def tid(test_id):
    """A CSS selector for a data-testid."""
    return f'[data-testid="{test_id}"]'


class Window:
    """One browser session, signed in as one user."""

    def __init__(self, name, base_url, width=1200, height=800):
        self.name = name
        self.base_url = base_url.rstrip("/")
        options = Options()
        options.binary_location = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            f"--window-size={width},{height}",
            "--lang=en-US",
        ):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.wait = WebDriverWait(
            self.driver, WAIT, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
        )

    # MARK: finding things

    def find(self, test_id):
        return self.wait.until(EC.visibility_of_element_located((By.CSS_SELECTOR, tid(test_id))))

    def clickable(self, test_id):
        return self.wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, tid(test_id))))

    def until(self, what, condition):
        """Waits for condition(driver) to be truthy; names what it waited for when it times out."""
        try:
            return self.wait.until(condition)
        except TimeoutException:
            raise AssertionError(f"[{self.name}] timed out after {WAIT}s waiting for: {what}") from None

    def messages(self):
        """The message items on screen: (message id or None, body text, is own, pending)."""
        return self.driver.execute_script(
            """
            return [...document.querySelectorAll('[data-testid="message"]')].map(li => ({
              id: li.dataset.messageId || null,
              body: li.querySelector('.body').textContent,
              own: li.classList.contains('own'),
              pending: li.dataset.pending === 'true',
              bodyChildren: li.querySelector('.body').children.length,
            }));
            """
        )

    def wait_for_message(self, body, stored=True):
        def found(_):
            for m in self.messages():
                if m["body"] == body and (m["id"] is not None or not stored):
                    return m
            return False

        return self.until(f"message {body!r}{' with an id' if stored else ''}", found)

    def connection_state(self):
        node = self.driver.find_element(By.CSS_SELECTOR, tid("connection-state"))
        return node.get_attribute("data-state"), node.text

    # MARK: actions

    def open_app(self):
        self.driver.get(self.base_url + "/")

    def register(self, username, password, display_name):
        self.open_app()
        self.clickable("register-toggle").click()
        self.find("login-displayname")
        self.find("login-username").send_keys(username)
        self.find("login-password").send_keys(password)
        self.find("login-displayname").send_keys(display_name)
        self.clickable("login-submit").click()
        self.until(
            "the main screen after registering",
            lambda d: d.find_element(By.CSS_SELECTOR, tid("me-name")).text == display_name,
        )

    def wait_live(self):
        self.until(
            "connection state 'live (WebSocket)'",
            lambda d: self.connection_state()[0] == "live" and "WebSocket" in self.connection_state()[1],
        )

    def send(self, text):
        composer = self.clickable("composer")
        composer.send_keys(text)
        composer.send_keys(Keys.ENTER)

    def screenshot(self, directory, suffix=""):
        path = os.path.join(directory, f"{self.name}{suffix}.png")
        try:
            self.driver.save_screenshot(path)
            log(f"screenshot: {path}")
        except WebDriverException as error:
            log(f"[{self.name}] could not save a screenshot: {error}")

    def dump_console(self):
        try:
            for entry in self.driver.get_log("browser"):
                log(f"[{self.name} console] {entry.get('level')} {entry.get('message')}")
        except WebDriverException:
            pass

    def quit(self):
        try:
            self.driver.quit()
        except WebDriverException:
            pass


def run(base_url, artifacts, windows):
    suffix = secrets.token_hex(3)
    user_a, user_b = f"wa_{suffix}", f"wb_{suffix}"
    name_a, name_b = f"Ann {suffix}", f"Ben {suffix}"
    password = "pw-" + secrets.token_hex(8)
    log(f"users: {user_a}, {user_b} on {base_url}")

    a = Window("a", base_url)
    windows.append(a)
    b = Window("b", base_url)
    windows.append(b)

    # Both register through the UI; each comes up live on its WebSocket.
    a.register(user_a, password, name_a)
    b.register(user_b, password, name_b)
    a.wait_live()
    b.wait_live()
    log("both registered and live")

    # A starts a chat with B from the directory. The text would be markup if put in as HTML.
    first = f"Hello <b>{user_b}</b> & \"friends\" #{suffix}"
    a.clickable("new-chat").click()
    a.clickable(f"user-{user_b}").click()
    a.until("the conversation title", lambda d: d.find_element(By.CSS_SELECTOR, tid("conversation-title")).text == name_b)
    a.send(first)
    sent = a.wait_for_message(first, stored=True)
    assert sent["own"], f"A's own message is not marked own: {sent}"
    assert sent["bodyChildren"] == 0, "the message body was parsed as HTML"
    log(f"A sent message {sent['id']}")

    # B: a new contact row for A with an unread badge of 1, without opening anything.
    def badge_text(d):
        found = d.find_elements(By.CSS_SELECTOR, tid(f"unread-{user_a}"))
        return found and found[0].text.strip() == "1"

    b.until("unread badge 1 on A's contact", badge_text)
    preview = b.find(f"contact-{user_a}").text
    assert first in preview or name_a in preview, f"A's contact row looks wrong: {preview!r}"
    log("B sees the unread badge")

    # B opens the chat: the message is there and the badge is gone.
    b.clickable(f"contact-{user_a}").click()
    got = b.wait_for_message(first, stored=True)
    assert not got["own"] and got["id"] == sent["id"], f"B's copy differs: {got} vs {sent}"
    b.until("the badge to clear", lambda d: not d.find_elements(By.CSS_SELECTOR, tid(f"unread-{user_a}")))

    # B replies; A, with the chat open, sees it arrive live.
    reply = f"Hi {name_a}, got it #{suffix}"
    b.send(reply)
    b_reply = b.wait_for_message(reply, stored=True)
    a_reply = a.wait_for_message(reply, stored=True)
    assert not a_reply["own"] and a_reply["id"] == b_reply["id"], f"A's copy differs: {a_reply} vs {b_reply}"
    assert not a.driver.find_elements(By.CSS_SELECTOR, tid(f"unread-{user_b}")), \
        "A has the chat open, yet B's contact shows an unread badge"
    log("A sees the reply live")

    # No duplicates anywhere, in the right order.
    for window in (a, b):
        bodies = [m["body"] for m in window.messages()]
        assert bodies == [first, reply], f"[{window.name}] messages on screen: {bodies}"

    # Both still live over the WebSocket.
    for window in (a, b):
        state, text = window.connection_state()
        assert state == "live" and "WebSocket" in text, f"[{window.name}] connection state {state!r} {text!r}"
    log("both show live (WebSocket)")

    # B reloads: still signed in (sessionStorage), the history comes back from the server.
    b.driver.refresh()
    b.wait_live()
    b.clickable(f"contact-{user_a}").click()
    b.wait_for_message(first)
    b.wait_for_message(reply)
    bodies = [m["body"] for m in b.messages()]
    assert bodies == [first, reply], f"[b] history after reload: {bodies}"
    log("B's history survives a reload")

    # The same page at phone width (360 px): the conversation fills the screen.
    b.driver.set_window_size(360, 740)
    b.until("the composer at 360 px", lambda d: d.find_element(By.CSS_SELECTOR, tid("composer")).is_displayed())
    b.screenshot(artifacts, "-360px")
    b.driver.set_window_size(1200, 800)


def main():
    base_url = os.environ.get("IM_SERVER_URL", "http://127.0.0.1:8080")
    artifacts = os.environ.get("IM_ARTIFACTS") or tempfile.mkdtemp(prefix="im-web-artifacts-")
    os.makedirs(artifacts, exist_ok=True)
    log(f"artifacts: {artifacts}")

    windows = []
    ok = False
    started = time.monotonic()
    try:
        run(base_url, artifacts, windows)
        ok = True
    except Exception:  # noqa: BLE001 - report any failure as a failed test
        traceback.print_exc()
        for window in windows:
            window.dump_console()
    finally:
        for window in windows:
            window.screenshot(artifacts, "" if ok else "-failure")
        for window in windows:
            window.quit()

    log(f"web chat test {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.1f}s")
    log("1 passed, 0 failed" if ok else "0 passed, 1 failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
