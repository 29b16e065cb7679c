#!/usr/bin/env python3
"""End-to-end test of the web client (Solutions/IMServer/Public) in two headless Chromium windows.

Two fresh users register through the UI, each in its own browser; A starts a chat with B and
sends a message; B sees the unread badge, opens the chat and sees the message; B replies and A
sees the reply live. Both windows must say they are live over the WebSocket; a reload of B's page
must keep the history.

Then group chat (lesson 20): A creates a group with B and a third user C (registered over HTTP,
no window yet) and writes to it; B sees the group with unread 1, opens it (the badge clears),
replies, and A sees the reply live. C signs in afterwards in a third window, which was not open
while the messages were sent: it catches up (the group with unread 2, then both messages with
their senders' names) and its reply reaches A and B live. A adds a fourth user D from the
group's header, and the member count B shows goes from 3 to 4 (a `group.member` push). Last, B's
WebSocket is dropped (and refused for a while): B long-polls, its group send goes over HTTP, A
writes meanwhile, and once B reconnects it catches up (group.sync, then group.history). Then one
group.message push is hidden from B: the next one shows a gap, and B pulls the message it missed.

Environment:
  IM_SERVER_URL   the server's base URL (default http://127.0.0.1:8080)
  IM_ARTIFACTS    where screenshots go (default: a new temporary directory)
  CHROMIUM_BIN    the browser (default: /usr/bin/chromium)
  CHROMEDRIVER    the driver (default: /usr/bin/chromedriver)

Needs: Debian's `chromium` and `chromium-driver`, and `selenium` from PyPI.
Prints `1 passed, 0 failed` or `0 passed, 1 failed` last and exits 0 or 1.
"""

import json
import os
import secrets
import sys
import tempfile
import time
import traceback
import urllib.request

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

# Installed before each page's own scripts: records the page's WebSockets, so the test can drop
# them (and refuse new ones for a while) to see the client fall back to long polling and catch
# up after it reconnects (a refused socket points at a closed port and fails at once), and can
# hide the next frames of one type from the page (a lost push).
SOCKET_SWITCH = """
(() => {
  const Native = window.WebSocket;
  const sockets = [];
  const hidden = {};  // frame type -> how many more to hide
  let refused = false;
  function Recorded(url, protocols) {
    const socket = new Native(refused ? 'ws://127.0.0.1:9/refused' : url, protocols);
    sockets.push(socket);
    // The page sets onmessage; it is called from here, after the filter.
    let handler = null;
    Object.defineProperty(socket, 'onmessage', { get: () => handler, set: (fn) => { handler = fn; } });
    socket.addEventListener('message', (event) => {
      let type = null;
      try { type = JSON.parse(event.data).type; } catch (error) { /* not JSON: the page decides */ }
      if (hidden[type] > 0) { hidden[type] -= 1; return; }
      if (handler) handler.call(socket, event);
    });
    return socket;
  }
  Recorded.prototype = Native.prototype;
  for (const name of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Recorded[name] = Native[name];
  window.WebSocket = Recorded;
  window.imTestSockets = {
    drop() {
      refused = true;
      for (const socket of sockets.splice(0)) socket.close();
    },
    allow() { refused = false; },
    hide(type, count) { hidden[type] = count; },
  };
})();
"""


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
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SOCKET_SWITCH})
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
              sender: li.querySelector('.sender').textContent,
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
        self.sign_in(username, password, display_name, register=True)

    def login(self, username, password, display_name):
        self.sign_in(username, password, display_name, register=False)

    def sign_in(self, username, password, display_name, register):
        """Through the login form (switched to "Create account" to register)."""
        self.open_app()
        if register:
            self.clickable("register-toggle").click()
            self.find("login-displayname").send_keys(display_name)
        self.find("login-username").send_keys(username)
        self.find("login-password").send_keys(password)
        self.clickable("login-submit").click()
        self.until(
            f"the main screen after {'registering' if register else 'signing in'}",
            lambda d: d.find_element(By.CSS_SELECTOR, tid("me-name")).text == display_name,
        )

    def group_id(self, name):
        """The id of the group row named `name` in the list (waits for it)."""
        return self.until(
            f"a group named {name!r} in the list",
            lambda d: d.execute_script(
                """
                const row = [...document.querySelectorAll('[data-kind="group"]')]
                  .find(b => b.querySelector('.contact-name').textContent === arguments[0]);
                return row ? row.dataset.groupId : null;
                """,
                name,
            ),
        )

    def badge_is(self, test_id, text):
        """Waits for the badge `test_id` to read `text`, or to be gone when `text` is None."""

        def check(d):
            found = d.find_elements(By.CSS_SELECTOR, tid(test_id))
            if text is None:
                return not found
            return bool(found) and found[0].text.strip() == text

        self.until(f"badge {test_id} to {'go away' if text is None else f'read {text}'}", check)

    def text_of(self, test_id):
        return self.driver.find_element(By.CSS_SELECTOR, tid(test_id)).text

    def wait_text(self, test_id, predicate, what):
        self.until(f"{test_id}: {what}", lambda d: predicate(d.find_element(By.CSS_SELECTOR, tid(test_id)).text))

    def bodies(self):
        return [m["body"] for m in self.messages()]

    def drop_websocket(self):
        """Closes the page's WebSocket and refuses new ones until allow_websocket()."""
        self.driver.execute_script("window.imTestSockets.drop()")

    def allow_websocket(self):
        self.driver.execute_script("window.imTestSockets.allow()")

    def hide_frames(self, frame_type, count):
        """The page will not see the next `count` frames of `frame_type` (as if they were lost)."""
        self.driver.execute_script("window.imTestSockets.hide(arguments[0], arguments[1])", frame_type, count)

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


def register_over_http(base_url, username, password, display_name):
    """A user for the group scenario, registered without a browser (POST /api/v1/register)."""
    body = json.dumps({"username": username, "password": password, "displayName": display_name}).encode()
    request = urllib.request.Request(
        base_url.rstrip("/") + "/api/v1/register", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201, f"registering {username}: HTTP {response.status}"


def run(base_url, artifacts, windows):
    suffix = secrets.token_hex(3)
    user_a, user_b = f"wa_{suffix}", f"wb_{suffix}"
    name_a, name_b = f"Ann {suffix}", f"Ben {suffix}"
    password = "pw-" + secrets.token_hex(8)
    log(f"users: {user_a}, {user_b} on {base_url}")
    run_direct(base_url, artifacts, windows, suffix, password, (user_a, name_a), (user_b, name_b))
    run_group(base_url, windows, suffix, password, (user_a, name_a), (user_b, name_b))


def run_direct(base_url, artifacts, windows, suffix, password, first_user, second_user):
    """The one-to-one scenario; leaves A and B signed in, each with the other's chat open."""
    (user_a, name_a), (user_b, name_b) = first_user, second_user

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

    # Lesson 12: A types eight messages at once; run.sh gives the server a send bucket of 5 (2/s),
    # so some are refused rate_limited with retryAfter. The client waits and sends them again with
    # the same clientMsgID: every one is stored once, none is marked failed.
    burst = [f"burst {i} {suffix}" for i in range(8)]
    for text in burst:
        a.send(text)
    for text in burst:
        b.wait_for_message(text, stored=True)
    b_bodies = [m["body"] for m in b.messages()]
    assert sorted(body for body in b_bodies if body.startswith("burst ")) == sorted(burst), \
        f"[b] the burst arrives once each: {b_bodies}"
    a.until("every burst message stored on A's side", lambda d: all(
        m["id"] is not None for m in a.messages() if m["body"].startswith("burst ")))
    retried = a.driver.execute_script("return document.querySelectorAll('[data-retried]').length")
    assert retried > 0, "the server's send bucket should have refused part of the burst, and the client retried it"
    assert not a.driver.find_elements(By.CSS_SELECTOR, ".message.failed, [data-failed='true']"), "no send is marked failed"
    log(f"a burst of 8 over the send limit: {retried} retried after retryAfter, all stored once")

    # The same page at phone width (360 px): the conversation fills the screen.
    b.driver.set_window_size(360, 740)
    b.until("the composer at 360 px", lambda d: d.find_element(By.CSS_SELECTOR, tid("composer")).is_displayed())
    b.screenshot(artifacts, "-360px")
    b.driver.set_window_size(1200, 800)
    b.until("the wide layout again", lambda d: d.find_element(By.CSS_SELECTOR, tid("new-group")).is_displayed())


def run_group(base_url, windows, suffix, password, first_user, second_user):
    """Group chat (lesson 20) between A, B and C, C catching up in a window opened afterwards."""
    (user_a, name_a), (user_b, name_b) = first_user, second_user
    a, b = windows[0], windows[1]
    user_c, name_c = f"wc_{suffix}", f"Cy {suffix}"
    user_d, name_d = f"wd_{suffix}", f"Di {suffix}"
    register_over_http(base_url, user_c, password, name_c)
    register_over_http(base_url, user_d, password, name_d)

    # A creates the group with B and C. The name would be markup if put in as HTML.
    group_name = f"Team <i>{suffix}</i> & co"
    a.clickable("new-group").click()
    a.find("group-name").send_keys(group_name)
    a.clickable(f"group-pick-{user_b}").click()
    a.clickable(f"group-pick-{user_c}").click()
    a.clickable("group-create").click()
    a.until("the group's title", lambda d: d.find_element(By.CSS_SELECTOR, tid("conversation-title")).text == group_name)
    a.wait_text("conversation-subtitle", lambda t: t.startswith("3 members"), "3 members")
    group = a.group_id(group_name)
    row_children = a.driver.execute_script(
        "return document.querySelector(arguments[0]).querySelector('.contact-name').children.length",
        tid(f"group-{group}"),
    )
    assert row_children == 0, "the group name was parsed as HTML"
    log(f"A created group {group}")

    g1 = f"Welcome to <b>the group</b> #{suffix}"
    a.send(g1)
    sent = a.wait_for_message(g1, stored=True)
    assert sent["own"] and sent["id"] == "1" and sent["bodyChildren"] == 0, f"A's group message: {sent}"

    # B (live, another chat open) gets the group with unread 1, then opens it: the badge clears.
    b.badge_is(f"group-unread-{group}", "1")
    preview = b.text_of(f"group-{group}")
    assert group_name in preview and g1 in preview, f"B's group row: {preview!r}"
    b.clickable(f"group-{group}").click()
    got = b.wait_for_message(g1, stored=True)
    assert not got["own"] and got["sender"] == name_a and got["id"] == "1", f"B's copy: {got}"
    b.badge_is(f"group-unread-{group}", None)
    log("B sees the group, unread 1, then the message; the badge clears")

    # B replies; A (group open) sees it live with B's name, and no badge.
    g2 = f"Thanks {name_a} #{suffix}"
    b.send(g2)
    b.wait_for_message(g2, stored=True)
    a_got = a.wait_for_message(g2, stored=True)
    assert not a_got["own"] and a_got["sender"] == name_b and a_got["id"] == "2", f"A's copy: {a_got}"
    assert not a.driver.find_elements(By.CSS_SELECTOR, tid(f"group-unread-{group}")), "A has the group open, yet a badge"
    for window in (a, b):
        assert window.bodies() == [g1, g2], f"[{window.name}] group messages on screen: {window.bodies()}"
    log("A sees B's reply live")

    # C signs in now, in a window that was not open while the messages were sent: it catches up.
    c = Window("c", base_url)
    windows.append(c)
    c.login(user_c, password, name_c)
    c.wait_live()
    c.badge_is(f"group-unread-{group}", "2")
    c.clickable(f"group-{group}").click()
    c.wait_for_message(g1, stored=True)
    c.wait_for_message(g2, stored=True)
    senders = [(m["body"], m["sender"]) for m in c.messages()]
    assert senders == [(g1, name_a), (g2, name_b)], f"[c] group history: {senders}"
    c.badge_is(f"group-unread-{group}", None)
    c.wait_text("conversation-subtitle", lambda t: t.startswith("3 members"), "3 members")
    log("C catches up: unread 2, both messages with their senders")

    # C's reply reaches both open windows live.
    g3 = f"Hello both, from {name_c} #{suffix}"
    c.send(g3)
    c.wait_for_message(g3, stored=True)
    for window in (a, b):
        got = window.wait_for_message(g3, stored=True)
        assert got["sender"] == name_c and got["id"] == "3", f"[{window.name}] C's reply: {got}"
        assert window.bodies() == [g1, g2, g3], f"[{window.name}] group messages: {window.bodies()}"

    # The owner adds D from the header; B's open group shows the new member count (group.member).
    a.clickable("members-toggle").click()
    a.find(f"member-{user_c}")
    a.clickable(f"add-member-{user_d}").click()
    a.clickable("add-members-submit").click()
    a.find(f"member-{user_d}")
    a.wait_text("conversation-subtitle", lambda t: t.startswith("4 members"), "4 members")
    b.wait_text("conversation-subtitle", lambda t: t.startswith("4 members"), "4 members")
    log("A adds D; B sees 4 members")

    # B loses its WebSocket: it long-polls, and its group send goes over HTTP. A writes meanwhile
    # (no push can reach B). Once B reconnects, group.sync + group.history bring A's message.
    b.drop_websocket()
    b.until("B long polling", lambda d: b.connection_state()[0] == "polling")
    g4 = f"Sent over HTTP by {name_b} #{suffix}"
    b.send(g4)
    assert b.wait_for_message(g4, stored=True)["id"] == "4", "B's send over HTTP"
    a.wait_for_message(g4, stored=True)
    g5 = f"While B was away #{suffix}"
    a.send(g5)
    a.wait_for_message(g5, stored=True)
    b.allow_websocket()
    b.wait_live()
    got = b.wait_for_message(g5, stored=True)
    assert got["id"] == "5" and got["sender"] == name_a, f"B's catch-up: {got}"
    assert b.bodies() == [g1, g2, g3, g4, g5], f"[b] group messages after the catch-up: {b.bodies()}"
    b.badge_is(f"group-unread-{group}", None)
    log("B falls back to HTTP, reconnects and catches up")

    # A push B never sees: the next one has a seq past the one B holds, and B pulls the gap.
    b.hide_frames("group.message", 1)
    g6, g7 = f"Lost on the way to B #{suffix}", f"After the lost one #{suffix}"
    a.send(g6)
    a.wait_for_message(g6, stored=True)
    a.send(g7)
    a.wait_for_message(g7, stored=True)
    b.wait_for_message(g6, stored=True)
    b.wait_for_message(g7, stored=True)
    assert b.bodies() == [g1, g2, g3, g4, g5, g6, g7], f"[b] group messages after the gap: {b.bodies()}"
    log("B pulls the message whose push it missed")

    for window in (a, b, c):
        state, text = window.connection_state()
        assert state == "live" and "WebSocket" in text, f"[{window.name}] connection state {state!r} {text!r}"


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
