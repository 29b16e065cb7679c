// The course's web client: plain JavaScript, no build step, no dependencies.
// It speaks the protocol in docs/PROTOCOL.md: HTTP for sign-in, history and contacts; a WebSocket
// for live delivery, with long polling while the WebSocket is down and a catch-up poll after it
// comes back. Groups (lesson 20) go over the WebSocket's `group.*` frames when it is live and over
// the same operations' HTTP routes when it is not. Every piece of user text goes into the page
// through textContent, never innerHTML.
'use strict';

(() => {
  // MARK: - Constants

  const API = '/api/v1';
  const HISTORY_PAGE = 50;
  const LONG_POLL_WAIT = 25;          // seconds the server may hold a long poll
  const BACKOFF_MIN = 1000;           // reconnect delay: 1 s doubling ...
  const BACKOFF_MAX = 30000;          // ... up to 30 s, with jitter
  const PING_EVERY = 25000;           // heartbeat on an idle WebSocket
  const PONG_TIMEOUT = 10000;         // no frame this long after a ping: the socket is dead
  const HELLO_TIMEOUT = 10000;        // no hello this long after connecting: give up on this try
  const GROUP_POLL_EVERY = 10000;     // group.sync over HTTP this often while the WebSocket is down
  const GROUP_PULL_ROUNDS = 20;       // history pages one catch-up of one group may pull
  const STORAGE_SESSION = 'im.session';
  const STORAGE_DEVICE = 'im.deviceID';

  // MARK: - Small helpers

  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Creates an element; `text` is always set with textContent. */
  function el(tag, attrs = {}, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function randomID(length) {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const bytes = new Uint8Array(length);
    crypto.getRandomValues(bytes);
    let out = '';
    for (const b of bytes) out += alphabet[b % alphabet.length];
    return out;
  }

  /** The conversation id both sides compute for a one-to-one chat: `d:<lower>:<higher>`. */
  function directConversationID(a, b) {
    return a < b ? `d:${a}:${b}` : `d:${b}:${a}`;
  }

  function initials(user) {
    const name = (user && (user.displayName || user.username)) || '?';
    const parts = name.trim().split(/\s+/).filter(Boolean);
    const letters = parts.length > 1 ? parts[0][0] + parts[1][0] : name.slice(0, 2);
    return letters.toUpperCase();
  }

  /** A calm, stable colour per username, dark enough for white text. */
  function avatarHue(username) {
    let hash = 0;
    for (const ch of username || '') hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
    return hash % 360;
  }

  function fillAvatar(node, user) {
    node.textContent = initials(user);
    node.style.setProperty('--hue', String(avatarHue(user && user.username)));
  }

  function displayName(user) {
    return (user && (user.displayName || user.username)) || 'Unknown';
  }

  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  const dateFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
  const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

  function shortTime(ms) {
    const date = new Date(ms);
    const now = new Date();
    const sameDay = date.toDateString() === now.toDateString();
    return sameDay ? timeFormat.format(date) : `${dateFormat.format(date)}, ${timeFormat.format(date)}`;
  }

  function contactTime(ms) {
    const date = new Date(ms);
    return date.toDateString() === new Date().toDateString() ? timeFormat.format(date) : dateFormat.format(date);
  }

  // MARK: - State

  /** The device id is per browser tab (sessionStorage), so two tabs can be two devices. */
  function tabDeviceID() {
    let id = sessionStorage.getItem(STORAGE_DEVICE);
    if (!id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      id = `web-${randomID(12)}`;
      sessionStorage.setItem(STORAGE_DEVICE, id);
    }
    return id;
  }

  const state = {
    session: null,              // {token, deviceID, user}
    contacts: new Map(),        // conversationID -> {conversationID, peer, lastMessage, unread}
    groups: new Map(),          // group id -> group, see mergeGroup()
    users: new Map(),           // user id -> user (directory cache and peers seen)
    recent: [],                 // the last messages ingested, re-applied after a contacts refresh
    cursor: 0,                  // the newest message id seen; the `after` of the next poll
    open: null,                 // the open conversation, see openConversation()
    pending: new Map(),         // clientMsgID -> pending send
    sendCounter: 0,
    requestCounter: 0,
    epoch: 0,                   // bumped on every sign-in/sign-out; stale async work checks it
  };

  // MARK: - HTTP

  class ApiError extends Error {
    constructor(status, code, message, retryAfter) {
      super(message);
      this.status = status;
      this.code = code;
      this.retryAfter = retryAfter; // seconds, when the server refused for now (lesson 12)
    }
  }

  /**
   * One JSON request. Throws ApiError for an error response (with the server's code and message)
   * and for a network failure (status 0, code "network"). A 401 on an authenticated request signs out.
   */
  async function api(method, path, body, { auth = true, signal } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const epoch = state.epoch;
    if (auth) {
      if (!state.session) throw new ApiError(401, 'unauthorized', 'not signed in');
      headers.Authorization = `Bearer ${state.session.token}`;
    }
    let response;
    try {
      response = await fetch(API + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        cache: 'no-store',
      });
    } catch (error) {
      if (error && error.name === 'AbortError') throw error;
      throw new ApiError(0, 'network', 'cannot reach the server');
    }
    let data = null;
    if (response.status !== 204) {
      const text = await response.text();
      if (text) {
        try { data = JSON.parse(text); } catch { data = null; }
      }
    }
    if (!response.ok) {
      const err = data && data.error;
      const apiError = new ApiError(
        response.status,
        (err && err.code) || `http_${response.status}`,
        (err && err.message) || `${response.status} ${response.statusText}`.trim(),
        (err && err.retryAfter) || Number(response.headers.get('Retry-After')) || undefined,
      );
      if (response.status === 401 && auth && epoch === state.epoch && state.session) {
        signOut('Your session has ended. Please sign in again.', { revoke: false });
      }
      throw apiError;
    }
    return data;
  }

  // MARK: - Error banner

  let bannerTimer = null;

  function showError(errorOrText) {
    let text = errorOrText;
    if (errorOrText instanceof ApiError) {
      text = errorOrText.code === 'network' ? 'Cannot reach the server.' : `${errorOrText.message} (${errorOrText.code})`;
    } else if (errorOrText instanceof Error) {
      text = errorOrText.message;
    }
    $('banner-text').textContent = String(text);
    $('banner').hidden = false;
    clearTimeout(bannerTimer);
    bannerTimer = setTimeout(hideError, 8000);
  }

  function hideError() {
    $('banner').hidden = true;
    clearTimeout(bannerTimer);
  }

  /** A failed request in one line, for the error line of a form. */
  function formErrorText(error) {
    if (!(error instanceof ApiError)) return String(error);
    return error.code === 'network' ? 'Cannot reach the server.' : error.message;
  }

  /** Reports a failed request, except a 401 (which already signed out) and aborted requests. */
  function report(error) {
    if (!error || error.name === 'AbortError') return;
    if (error instanceof ApiError && error.status === 401) return;
    console.error(error);
    showError(error);
  }

  // MARK: - Login / register screen

  let registering = false;

  function setRegistering(on) {
    registering = on;
    $('displayname-field').hidden = !on;
    $('login-hint').hidden = !on;
    $('login-subtitle').textContent = on ? 'Create an account' : 'Sign in to chat';
    $('login-submit').textContent = on ? 'Create account' : 'Sign in';
    $('toggle-text').textContent = on ? 'Already have an account?' : 'No account yet?';
    $('register-toggle').textContent = on ? 'Sign in' : 'Create one';
    $('login-password').autocomplete = on ? 'new-password' : 'current-password';
    $('login-error').textContent = '';
  }

  function showLogin(message) {
    $('main-screen').hidden = true;
    $('login-screen').hidden = false;
    $('login-error').textContent = message || '';
    $('login-password').value = '';
    $('login-submit').disabled = false;
    document.title = 'IM';
    $('login-username').focus();
  }

  async function onLoginSubmit(event) {
    event.preventDefault();
    const username = $('login-username').value.trim().toLowerCase();
    const password = $('login-password').value;
    const name = $('login-displayname').value.trim();
    const errorLine = $('login-error');
    errorLine.textContent = '';
    if (!/^[a-z0-9_.-]{3,32}$/.test(username)) {
      errorLine.textContent = 'Username: 3–32 characters of a–z, 0–9, _ . -';
      $('login-username').focus();
      return;
    }
    if (password.length < 8 || password.length > 128) {
      errorLine.textContent = 'Password: 8–128 characters.';
      $('login-password').focus();
      return;
    }
    $('login-submit').disabled = true;
    try {
      let data;
      if (registering) {
        const body = { username, password };
        if (name) body.displayName = name;
        data = await api('POST', '/register', body, { auth: false });
      } else {
        data = await api('POST', '/login', { username, password, deviceID: tabDeviceID() }, { auth: false });
      }
      // After registering, the server named the device: keep that id for this tab from now on.
      if (data.deviceID) sessionStorage.setItem(STORAGE_DEVICE, data.deviceID);
      const session = { token: data.token, deviceID: data.deviceID || tabDeviceID(), user: data.user };
      sessionStorage.setItem(STORAGE_SESSION, JSON.stringify(session));
      $('login-password').value = '';
      await startSession(session);
    } catch (error) {
      errorLine.textContent = formErrorText(error);
    } finally {
      $('login-submit').disabled = false;
    }
  }

  // MARK: - Session

  async function startSession(session) {
    state.epoch += 1;
    state.session = session;
    state.contacts.clear();
    state.contactsLoaded = false;
    state.groups.clear();
    state.users.clear();
    directory = [];
    directoryLoadedAt = 0;
    state.recent = [];
    state.cursor = 0;
    state.open = null;
    state.pending.clear();
    rememberUser(session.user);

    $('login-screen').hidden = true;
    $('main-screen').hidden = false;
    $('main-screen').classList.remove('show-conversation');
    $('me-name').textContent = displayName(session.user);
    $('me-name').title = `@${session.user.username}`;
    fillAvatar($('me-avatar'), session.user);
    closeConversationView();
    closePicker();
    closeGroupForm();
    hideError();

    const epoch = state.epoch;
    try {
      await refreshContacts();
    } catch (error) {
      if (epoch !== state.epoch) return;
      report(error);
    }
    if (epoch !== state.epoch) return;
    connection.start();
  }

  function signOut(message, { revoke = true } = {}) {
    const session = state.session;
    if (revoke && session) {
      // Best effort: revoke the token; the UI does not wait.
      fetch(`${API}/logout`, { method: 'POST', headers: { Authorization: `Bearer ${session.token}` } }).catch(() => {});
    }
    state.epoch += 1;
    state.session = null;
    connection.stop();
    sessionStorage.removeItem(STORAGE_SESSION);
    state.contacts.clear();
    state.groups.clear();
    state.pending.clear();
    state.open = null;
    $('contact-list').replaceChildren();
    $('message-list').replaceChildren();
    contactNodes.clear();
    showLogin(message);
  }

  function rememberUser(user) {
    if (user && typeof user.id === 'number') state.users.set(user.id, user);
  }

  // MARK: - Contacts

  const contactNodes = new Map(); // conversationID -> <li>

  async function refreshContacts() {
    const epoch = state.epoch;
    const data = await api('GET', '/contacts');
    if (epoch !== state.epoch) return;
    state.contactsLoaded = true;
    state.contacts.clear();
    for (const contact of data.contacts || []) {
      rememberUser(contact.peer);
      state.contacts.set(contact.conversationID, {
        conversationID: contact.conversationID,
        peer: contact.peer,
        lastMessage: contact.lastMessage || null,
        unread: contact.unread || 0,
      });
      if (contact.lastMessage) state.cursor = Math.max(state.cursor, contact.lastMessage.id);
    }
    // Messages that arrived while the request was in flight and are newer than what it saw.
    for (const message of state.recent) applyToContact(message);
    renderContacts();
    // The open conversation is on screen: whatever the server still counts as unread there is read.
    if (state.open && state.open.group === undefined && unreadOf(state.open.conversationID) > 0 && isVisible()) {
      scheduleRead(state.open.conversationID);
    }
  }

  let contactsRefresh = null;
  function refreshContactsSoon() {
    if (contactsRefresh) return contactsRefresh;
    contactsRefresh = sleep(50)
      .then(refreshContacts)
      .catch(report)
      .finally(() => { contactsRefresh = null; });
    return contactsRefresh;
  }

  function peerOf(message) {
    const me = state.session.user.id;
    return message.from === me ? message.to : message.from;
  }

  /**
   * Folds one message into its contact row. Returns false when the row is unknown (the caller
   * then refreshes the contacts). Ids only grow, so a message at or below the row's last message
   * has been counted already: this is what makes repeated deliveries harmless.
   */
  function applyToContact(message) {
    const contact = state.contacts.get(message.conversationID);
    if (!contact) {
      const peer = state.users.get(peerOf(message));
      if (!peer) return false;
      state.contacts.set(message.conversationID, {
        conversationID: message.conversationID, peer, lastMessage: message, unread: 0,
      });
      if (message.from !== state.session.user.id && !isOpenAndVisible(message.conversationID)) {
        state.contacts.get(message.conversationID).unread = 1;
      }
      return true;
    }
    if (contact.lastMessage && message.id <= contact.lastMessage.id) return true;
    contact.lastMessage = message;
    if (message.from !== state.session.user.id && !isOpenAndVisible(message.conversationID)) {
      contact.unread += 1;
    }
    return true;
  }

  /**
   * One-to-one conversations and groups in one list, the most recent first (a row without any
   * message yet, just started, sits on top). Server times order rows of both kinds.
   */
  function sortedChats() {
    const chats = [];
    for (const contact of state.contacts.values()) {
      chats.push({ key: contact.conversationID, contact, last: contact.lastMessage });
    }
    for (const group of state.groups.values()) chats.push({ key: group.key, group, last: group.lastMessage });
    const at = (chat) => (chat.last ? chat.last.sentAt : Number.MAX_SAFE_INTEGER);
    return chats.sort((a, b) => at(b) - at(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  function renderContacts() {
    if (!state.session) return;
    const list = $('contact-list');
    const chats = sortedChats();
    const keep = new Set();
    chats.forEach((chat, index) => {
      keep.add(chat.key);
      let node = contactNodes.get(chat.key);
      if (!node) {
        node = chat.group ? buildGroupNode(chat.group) : buildContactNode(chat.contact);
        contactNodes.set(chat.key, node);
      }
      if (chat.group) updateGroupNode(node, chat.group); else updateContactNode(node, chat.contact);
      if (list.children[index] !== node) list.insertBefore(node, list.children[index] || null);
    });
    for (const [id, node] of contactNodes) {
      if (!keep.has(id)) { node.remove(); contactNodes.delete(id); }
    }
    $('contacts-empty').hidden = chats.length > 0;
    updateTitle();
  }

  /** The skeleton of a row of the list: avatar, name and time, preview and badge. */
  function buildChatNode(attrs, onClick) {
    const li = el('li', { class: 'contact-item' });
    const button = el('button', { type: 'button', class: 'contact', ...attrs });
    const avatar = el('span', { class: 'avatar', 'aria-hidden': 'true' });
    const body = el('span', { class: 'contact-body' });
    const top = el('span', { class: 'contact-top' });
    top.append(el('span', { class: 'contact-name' }), el('span', { class: 'contact-time' }));
    const bottom = el('span', { class: 'contact-bottom' });
    bottom.append(el('span', { class: 'contact-preview' }));
    body.append(top, bottom);
    button.append(avatar, body);
    button.addEventListener('click', onClick);
    li.append(button);
    return li;
  }

  function buildContactNode(contact) {
    return buildChatNode({ 'data-testid': `contact-${contact.peer.username}` }, () => openConversation(contact.peer));
  }

  /** Fills a row's name, time, preview, unread badge and state; returns its button. */
  function fillChatNode(li, { key, name, last, preview, unread, badgeTestID, label }) {
    const button = li.firstChild;
    button.querySelector('.contact-name').textContent = name;
    button.querySelector('.contact-time').textContent = last ? contactTime(last.sentAt) : '';
    button.querySelector('.contact-preview').textContent = preview;
    const bottom = button.querySelector('.contact-bottom');
    let badge = bottom.querySelector('.badge');
    if (unread > 0) {
      if (!badge) {
        badge = el('span', { class: 'badge', 'data-testid': badgeTestID });
        bottom.append(badge);
      }
      badge.textContent = unread > 99 ? '99+' : String(unread);
    } else if (badge) {
      badge.remove();
    }
    const isOpen = state.open && state.open.conversationID === key;
    button.classList.toggle('active', !!isOpen);
    button.classList.toggle('has-unread', unread > 0);
    if (isOpen) button.setAttribute('aria-current', 'true'); else button.removeAttribute('aria-current');
    button.setAttribute('aria-label', `${label}${unread > 0 ? `, ${unread} unread` : ''}`);
    return button;
  }

  function updateContactNode(li, contact) {
    const me = state.session.user.id;
    const last = contact.lastMessage;
    fillAvatar(li.firstChild.querySelector('.avatar'), contact.peer);
    fillChatNode(li, {
      key: contact.conversationID,
      name: displayName(contact.peer),
      last,
      preview: last ? (last.from === me ? `You: ${last.body}` : last.body) : 'No messages yet',
      unread: contact.unread,
      badgeTestID: `unread-${contact.peer.username}`,
      label: `${displayName(contact.peer)} (@${contact.peer.username})`,
    });
  }

  function updateTitle() {
    let total = 0;
    for (const contact of state.contacts.values()) total += contact.unread;
    for (const group of state.groups.values()) total += groupUnread(group);
    document.title = total > 0 ? `(${total}) IM` : 'IM';
  }

  // MARK: - New chat picker

  // The user directory (GET /users, everyone but us): the pickers list it, and it names the
  // senders of group messages.
  let directory = [];
  let directoryLoad = null;
  let directoryLoadedAt = 0;

  /** Loads the directory (again when `fresh`, or when it is older than 10 s and a name is missing). */
  function loadDirectory({ fresh = false } = {}) {
    if (directoryLoad) return directoryLoad;
    if (!fresh && directoryLoadedAt && Date.now() - directoryLoadedAt < 10000) return Promise.resolve(directory);
    const epoch = state.epoch;
    directoryLoad = api('GET', '/users')
      .then((data) => {
        if (epoch !== state.epoch) return directory;
        directory = (data.users || []).filter((u) => u.id !== state.session.user.id);
        directory.forEach(rememberUser);
        directoryLoadedAt = Date.now();
        renderContacts();
        refreshSenderNames();
        return directory;
      })
      .finally(() => { directoryLoad = null; });
    return directoryLoad;
  }

  /** A loading line, then the directory through `render`, or a failure line. */
  async function showDirectory(list, render) {
    list.replaceChildren(el('li', { class: 'muted' }, 'Loading…'));
    const epoch = state.epoch;
    try {
      await loadDirectory({ fresh: true });
      if (epoch === state.epoch) render();
    } catch (error) {
      list.replaceChildren(el('li', { class: 'muted' }, 'Could not load people.'));
      report(error);
    }
  }

  /** Shows or hides a panel of the sidebar; its button says what it does next. */
  function setSidebarPanel(panelID, buttonID, open, closedLabel) {
    $(panelID).hidden = !open;
    $(buttonID).setAttribute('aria-expanded', String(open));
    $(buttonID).textContent = open ? '× Close' : closedLabel;
  }

  async function openPicker() {
    closeGroupForm();
    setSidebarPanel('picker', 'new-chat', true);
    $('user-search').value = '';
    $('user-search').focus();
    await showDirectory($('user-list'), filterUsers);
  }

  /** The users matching a search box's text, or a line saying why there are none. */
  function matchUsers(users, query, list) {
    const q = query.trim().toLowerCase();
    const matches = users.filter((u) =>
      !q || u.username.includes(q) || (u.displayName || '').toLowerCase().includes(q));
    if (matches.length === 0) {
      list.replaceChildren(el('li', { class: 'muted' }, users.length ? 'Nobody matches.' : 'Nobody else is here yet.'));
    }
    return matches;
  }

  /** Avatar, name and handle of a user, inside `container` (a button or a label). */
  function userRow(container, user) {
    const avatar = el('span', { class: 'avatar small', 'aria-hidden': 'true' });
    fillAvatar(avatar, user);
    const text = el('span', { class: 'user-text' });
    text.append(el('span', { class: 'user-name' }, displayName(user)), el('span', { class: 'user-handle' }, `@${user.username}`));
    container.append(avatar, text);
    return container;
  }

  /** A user with a checkbox whose state lives in `picked` (a Set of user ids). */
  function checkUserRow(user, testID, picked) {
    const box = el('input', { type: 'checkbox', 'data-testid': testID, checked: picked.has(user.id) });
    box.addEventListener('change', () => { if (box.checked) picked.add(user.id); else picked.delete(user.id); });
    const label = el('label', { class: 'user check' });
    label.append(box);
    const li = el('li');
    li.append(userRow(label, user));
    return li;
  }

  function filterUsers() {
    const list = $('user-list');
    const matches = matchUsers(directory, $('user-search').value, list);
    if (matches.length === 0) return;
    list.replaceChildren(...matches.map((user) => {
      const li = el('li');
      const button = userRow(el('button', { type: 'button', class: 'user', 'data-testid': `user-${user.username}` }), user);
      button.addEventListener('click', () => { closePicker(); openConversation(user); });
      li.append(button);
      return li;
    }));
  }

  function closePicker() {
    setSidebarPanel('picker', 'new-chat', false, '+ New chat');
  }

  // MARK: - Conversation

  function isVisible() {
    return document.visibilityState === 'visible';
  }

  function isOpenAndVisible(conversationID) {
    return !!state.open && state.open.conversationID === conversationID && isVisible();
  }

  function closeConversationView() {
    $('conversation-view').hidden = true;
    $('no-conversation').hidden = false;
    $('main-screen').classList.remove('show-conversation');
    closeMembers();
  }

  /** The unread count of a row of the list, by its key (a conversation id or a group's key). */
  function unreadOf(key) {
    const group = groupByKey(key);
    if (group) return groupUnread(group);
    const contact = state.contacts.get(key);
    return contact ? contact.unread : 0;
  }

  /** When `key` is open already, brings it forward (on a phone the list hides it) and says true. */
  function focusIfOpen(key) {
    if (!state.open || state.open.conversationID !== key) return false;
    $('main-screen').classList.add('show-conversation');
    if (!$('composer').disabled) $('composer').focus();
    if (unreadOf(key) > 0) markRead(key);
    return true;
  }

  /**
   * Makes a conversation the one on screen: an empty list waiting for its history, with the
   * pending sends made to it earlier (before the view was switched) still visible. `fields` are
   * `peer` (one-to-one) or `group` (lesson 20).
   */
  function showConversation(conversationID, fields) {
    const open = {
      conversationID,
      ...fields,
      ids: new Set(),      // message ids (a group's seqs) on screen
      oldest: null,        // the smallest id on screen, the next `before`
      hasMore: false,
      loadingOlder: false,
    };
    state.open = open;
    closeMembers();
    $('message-list').replaceChildren();
    $('history-empty').hidden = true;
    $('load-older').hidden = true;
    $('no-conversation').hidden = true;
    $('conversation-view').hidden = false;
    $('main-screen').classList.add('show-conversation');
    $('message-list').setAttribute('aria-busy', 'true');
    renderContacts();
    for (const pending of state.pending.values()) {
      if (pending.conversationID === open.conversationID) $('message-list').append(pending.node);
    }
    fillConversationHeader();
    if (!$('composer').disabled) $('composer').focus();
    return open;
  }

  /**
   * The newest page of the open conversation: `fetchPage()` asks for it, `take(messages)` puts
   * it on screen. Says whether the conversation is still the one open.
   */
  async function loadNewestPage(open, fetchPage, take) {
    const epoch = state.epoch;
    try {
      const page = await fetchPage();
      if (epoch !== state.epoch || state.open !== open) return false;
      take(page.messages || []);
      open.hasMore = !!page.hasMore;
      $('load-older').hidden = !open.hasMore;
      scrollToBottom();
    } catch (error) {
      if (state.open === open) report(error);
    } finally {
      if (state.open === open) {
        $('message-list').removeAttribute('aria-busy');
        updateEmptyHint();
      }
    }
    return state.open === open;
  }

  /** The header and composer of a one-to-one conversation or of a group (lesson 20). */
  function fillConversationHeader() {
    const open = state.open;
    if (!open) return;
    const group = open.group !== undefined ? state.groups.get(open.group) : null;
    const avatar = $('peer-avatar');
    avatar.classList.toggle('group', !!group);
    $('members-toggle').hidden = !group;
    if (group) {
      $('peer-name').textContent = group.name;
      const count = `${group.memberCount} member${group.memberCount === 1 ? '' : 's'}`;
      $('peer-username').textContent = groupLeft(group) ? `${count} · you are no longer a member` : count;
      fillGroupAvatar(avatar, group);
    } else {
      $('peer-name').textContent = displayName(open.peer);
      $('peer-username').textContent = `@${open.peer.username}`;
      fillAvatar(avatar, open.peer);
    }
    const left = !!group && groupLeft(group);
    $('left-notice').hidden = !left;
    $('composer-form').hidden = left;
    $('composer').disabled = left;
  }

  async function openConversation(peer) {
    rememberUser(peer);
    const conversationID = directConversationID(state.session.user.id, peer.id);
    if (focusIfOpen(conversationID)) return;
    const open = showConversation(conversationID, { peer });
    const stillOpen = await loadNewestPage(
      open,
      () => api('GET', `/conversations/${encodeURIComponent(conversationID)}/messages?limit=${HISTORY_PAGE}`),
      (messages) => messages.forEach((message) => insertMessage(message)));
    const contact = state.contacts.get(conversationID);
    if (stillOpen && contact && contact.unread > 0) markRead(conversationID);
  }

  async function loadOlder() {
    const open = state.open;
    if (!open || open.loadingOlder || !open.hasMore || open.oldest === null) return;
    open.loadingOlder = true;
    const button = $('load-older');
    button.disabled = true;
    button.textContent = 'Loading…';
    const scroller = $('messages-scroll');
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    try {
      const isGroup = open.group !== undefined;
      const data = isGroup
        ? await groupHistory({ group: open.group, before: open.oldest, limit: HISTORY_PAGE })
        : await api('GET',
          `/conversations/${encodeURIComponent(open.conversationID)}/messages?before=${open.oldest}&limit=${HISTORY_PAGE}`);
      if (state.open !== open) return;
      for (const message of data.messages || []) {
        if (isGroup) receiveGroupMessage(message, { pulled: true }); else insertMessage(message);
      }
      open.hasMore = !!data.hasMore;
      scroller.scrollTop = scroller.scrollHeight - fromBottom; // keep the reader's place
    } catch (error) {
      report(error);
    } finally {
      open.loadingOlder = false;
      button.disabled = false;
      button.textContent = 'Load older messages';
      if (state.open === open) button.hidden = !open.hasMore;
    }
  }

  function updateEmptyHint() {
    $('history-empty').hidden = $('message-list').children.length > 0;
  }

  function nearBottom() {
    const s = $('messages-scroll');
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  function scrollToBottom() {
    const s = $('messages-scroll');
    s.scrollTop = s.scrollHeight;
  }

  function senderOf(message) {
    if (message.from === state.session.user.id) return state.session.user;
    return userByID(message.from);
  }

  /** A known user, or a stand-in while the directory is (re)loaded to name it. */
  function userByID(id) {
    const user = state.users.get(id);
    if (user) return user;
    loadDirectory().catch(() => {}); // renders the names again once it is in
    return { id, username: `user${id}`, placeholder: true };
  }

  /** After the directory came in: the sender names of the open conversation's messages. */
  function refreshSenderNames() {
    if (!state.session) return;
    for (const li of $('message-list').children) {
      if (!li.classList.contains('theirs')) continue;
      const user = state.users.get(Number(li.dataset.from));
      if (user) li.querySelector('.sender').textContent = displayName(user);
    }
  }

  function buildMessageNode(message, { pending = false } = {}) {
    const own = message.from === state.session.user.id;
    const li = el('li', { class: `message ${own ? 'own' : 'theirs'}`, 'data-testid': 'message' });
    li.dataset.from = String(message.from);
    li.dataset.sentAt = String(message.sentAt);
    const bubble = el('div', { class: 'bubble' });
    bubble.append(el('p', { class: 'body' }, message.body));
    const meta = el('div', { class: 'meta' });
    meta.append(el('span', { class: 'sender' }, own ? 'You' : displayName(senderOf(message))));
    meta.append(el('time', { class: 'time' }));
    meta.append(el('span', { class: 'status' }));
    li.append(bubble, meta);
    if (pending) markPending(li, message.clientMsgID);
    else markStored(li, message);
    return li;
  }

  function markPending(li, clientMsgID) {
    li.classList.add('pending');
    li.dataset.pending = 'true';
    li.dataset.clientMsgId = clientMsgID;
    li.querySelector('.time').textContent = '';
    li.querySelector('.status').textContent = 'sending…';
  }

  function markStored(li, message) {
    li.classList.remove('pending', 'failed');
    delete li.dataset.pending;
    delete li.dataset.failed;
    li.dataset.messageId = String(message.id);
    li.dataset.sentAt = String(message.sentAt);
    if (message.clientMsgID) li.dataset.clientMsgId = message.clientMsgID;
    const time = li.querySelector('.time');
    time.textContent = shortTime(message.sentAt);
    time.dateTime = new Date(message.sentAt).toISOString();
    time.title = fullFormat.format(new Date(message.sentAt));
    const status = li.querySelector('.status');
    status.replaceChildren();
    status.textContent = '';
  }

  function markFailed(pending, reason) {
    const li = pending.node;
    li.classList.remove('pending');
    li.classList.add('failed');
    li.dataset.failed = 'true';
    delete li.dataset.pending;
    const status = li.querySelector('.status');
    status.replaceChildren(el('span', {}, `not sent${reason ? ` (${reason})` : ''} · `));
    const retry = el('button', { type: 'button', class: 'link retry' }, 'Retry');
    retry.addEventListener('click', () => {
      markPending(li, pending.clientMsgID);
      pending.failed = false;
      dispatchSend(pending);
    });
    status.append(retry);
  }

  /** Puts a stored message in the open conversation at its place by id (once). */
  function insertMessage(message, node) {
    const open = state.open;
    if (!open || message.conversationID !== open.conversationID) return;
    if (open.ids.has(message.id)) {
      if (node && node.isConnected && node.dataset.messageId !== String(message.id)) node.remove();
      return;
    }
    open.ids.add(message.id);
    if (open.oldest === null || message.id < open.oldest) open.oldest = message.id;
    const li = node || buildMessageNode(message);
    if (node) markStored(li, message);
    const list = $('message-list');
    // Before the first stored message with a larger id, else before the first pending one.
    let before = null;
    for (const child of list.children) {
      if (child === li) continue;
      const id = child.dataset.messageId;
      if (id === undefined || Number(id) > message.id) { before = child; break; }
    }
    if (li.nextSibling !== before || li.parentNode !== list) list.insertBefore(li, before);
    regroup(li);
    updateEmptyHint();
  }

  /**
   * A message that follows one from the same sender within five minutes is "continued": it hides
   * the repeated sender name and sits closer. Only the node and its neighbour can change.
   */
  function regroup(li) {
    for (const node of [li, li.nextElementSibling]) {
      if (!node) continue;
      const prev = node.previousElementSibling;
      const continued = !!prev && prev.dataset.from === node.dataset.from
        && Math.abs(Number(node.dataset.sentAt) - Number(prev.dataset.sentAt)) < 5 * 60 * 1000;
      node.classList.toggle('continued', continued);
    }
  }

  // MARK: - Reading

  const readTimers = new Map();

  function scheduleRead(conversationID) {
    if (readTimers.has(conversationID)) return;
    readTimers.set(conversationID, setTimeout(() => {
      readTimers.delete(conversationID);
      markRead(conversationID);
    }, 250));
  }

  /** Clears the badge at once and tells the server: a `read` frame when live, else HTTP. */
  async function markRead(conversationID) {
    const group = groupByKey(conversationID);
    if (group) {
      markGroupRead(group);
      return;
    }
    const contact = state.contacts.get(conversationID);
    if (contact) {
      contact.unread = 0;
      renderContacts();
    }
    if (connection.live) {
      connection.request('read', { conversationID });
      return;
    }
    try {
      await api('POST', `/conversations/${encodeURIComponent(conversationID)}/read`, {});
    } catch (error) {
      report(error);
    }
  }

  // MARK: - Incoming messages

  /** Every message from any path (ack, push, poll, HTTP reply, history) passes through here. */
  function ingest(message) {
    if (!message || typeof message.id !== 'number' || !state.session) return;
    state.cursor = Math.max(state.cursor, message.id);
    state.recent.push(message);
    if (state.recent.length > 200) state.recent.splice(0, state.recent.length - 200);

    // One of ours, sent from this tab: settle its pending bubble.
    let node;
    if (message.from === state.session.user.id && message.clientMsgID) {
      const pending = state.pending.get(message.clientMsgID);
      if (pending) {
        state.pending.delete(message.clientMsgID);
        node = pending.node;
      }
    }

    const open = state.open;
    const inOpen = open && open.conversationID === message.conversationID;
    const wasNearBottom = inOpen && nearBottom();
    if (inOpen) {
      insertMessage(message, node);
      if (wasNearBottom || message.from === state.session.user.id) scrollToBottom();
    } else if (node && node.isConnected) {
      node.remove();
    }

    if (!applyToContact(message)) {
      refreshContactsSoon();
    } else {
      renderContacts();
    }
    if (inOpen && message.from !== state.session.user.id && isVisible()) scheduleRead(message.conversationID);
  }

  // MARK: - Sending

  function onComposerSubmit(event) {
    event.preventDefault();
    const composer = $('composer');
    const body = composer.value.trim();
    if (!body || !state.open) return;
    if (body.length > 4000) {
      showError('A message can have at most 4,000 characters.');
      return;
    }
    composer.value = '';
    autosize();
    const open = state.open;
    const to = open.peer ? open.peer.id : undefined;
    state.sendCounter += 1;
    const clientMsgID = `web-${state.session.deviceID}-${Date.now().toString(36)}-${state.sendCounter}`.slice(-64);
    const message = {
      from: state.session.user.id, to, conversationID: open.conversationID,
      body, clientMsgID, sentAt: Date.now(),
    };
    const node = buildMessageNode(message, { pending: true });
    $('message-list').append(node);
    regroup(node);
    updateEmptyHint();
    scrollToBottom();
    const pending = {
      clientMsgID, to, group: open.group, body, conversationID: open.conversationID, node, via: null, requestID: null, failed: false,
    };
    state.pending.set(clientMsgID, pending);
    dispatchSend(pending);
    composer.focus();
  }

  /** Over the WebSocket when it is live (answered by an `ack`), else HTTP POST. */
  async function dispatchSend(pending) {
    if (!state.pending.has(pending.clientMsgID)) state.pending.set(pending.clientMsgID, pending);
    if (pending.group !== undefined) {
      dispatchGroupSend(pending);
      return;
    }
    const data = { to: pending.to, body: pending.body, clientMsgID: pending.clientMsgID };
    if (connection.live) {
      pending.via = 'ws';
      pending.requestID = connection.request('send', data);
      return;
    }
    pending.via = 'http';
    pending.requestID = null;
    const epoch = state.epoch;
    try {
      const reply = await api('POST', '/messages', data);
      if (epoch !== state.epoch) return;
      ingest(reply.message);
    } catch (error) {
      if (epoch === state.epoch) sendFailed(pending, error);
    }
  }

  /**
   * Lesson 12: the server refused the send for now (over the rate, or overloaded) and said when to
   * come back. Wait that long plus up to half again at random, so refused clients do not return
   * together, then send the same message again (same clientMsgID: never stored twice). Three tries.
   */
  function retryLater(pending, code, retryAfter) {
    if (!(code === 'rate_limited' || code === 'unavailable') || !retryAfter || (pending.retries || 0) >= 3) return false;
    pending.retries = (pending.retries || 0) + 1;
    pending.node.dataset.retried = String(pending.retries);
    const wait = retryAfter * 1000 * (1 + Math.random() * 0.5);
    pending.node.querySelector('.status').textContent = `server busy, retrying in ${Math.ceil(wait / 1000)} s…`;
    const epoch = state.epoch;
    setTimeout(() => {
      if (epoch === state.epoch && state.pending.has(pending.clientMsgID) && !pending.failed) dispatchSend(pending);
    }, wait);
    return true;
  }

  function sendFailed(pending, error) {
    if (!state.pending.has(pending.clientMsgID)) return; // delivered by another path meanwhile
    if (error instanceof ApiError && retryLater(pending, error.code, error.retryAfter)) return;
    if (error instanceof ApiError && error.code === 'network') {
      // Not reachable: keep it queued; it goes out after the next successful catch-up (which
      // first tells whether this request was stored after all, so nothing is sent twice; a group
      // send is idempotent by its clientMsgID anyway).
      pending.orphaned = true;
      pending.node.querySelector('.status').textContent = 'waiting for connection…';
      return;
    }
    pending.failed = true;
    markFailed(pending, error instanceof ApiError ? error.code : 'error');
    report(error);
  }

  /** After a catch-up: resend what went out on a socket that died before its `ack`. */
  function resendOrphans() {
    for (const pending of state.pending.values()) {
      if (pending.orphaned && !pending.failed) {
        pending.orphaned = false;
        markPending(pending.node, pending.clientMsgID);
        dispatchSend(pending);
      }
    }
  }

  // MARK: - Groups (lesson 20)
  //
  // A group is stored once with its own seq (1, 2, 3…); what this client holds of it is summed up
  // by `heldSeq`: every visible message up to that seq has been applied here (null until the first
  // pull). A push with the next seq moves it on; a push past it (a gap) or a sync that reports a
  // larger lastSeq pulls `group.history` after it. Unread is computed like the server does:
  // min(leftSeq ?? lastSeq, lastSeq) − max(readSeq, joinSeq), where readSeq moves as soon as a
  // message is on screen and `serverReadSeq` is what the server has stored (group.read tells it).

  const groupKey = (id) => `g:${id}`;

  function groupByKey(key) {
    if (typeof key !== 'string' || !key.startsWith('g:')) return null;
    return state.groups.get(Number(key.slice(2))) || null;
  }

  function groupLeft(group) {
    return group.leftSeq !== null && group.leftSeq !== undefined;
  }

  /** The last seq the member may read. */
  function visibleThrough(group) {
    return groupLeft(group) ? Math.min(group.leftSeq, group.lastSeq) : group.lastSeq;
  }

  function groupUnread(group) {
    return Math.max(0, visibleThrough(group) - Math.max(group.readSeq, group.joinSeq));
  }

  function canManage(group) {
    return !groupLeft(group) && (group.role === 'owner' || group.role === 'admin');
  }

  /**
   * A request of the group protocol: its frame when the WebSocket is live, else its HTTP route
   * (the same operation, the same answer). A socket that dies before answering: the route is tried.
   */
  async function groupCall(type, data, method, path, body) {
    if (connection.live) {
      try {
        return await connection.call(type, data);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'network')) throw error;
      }
    }
    return api(method, `/groups${path}`, body);
  }

  function groupHistory(query) {
    const params = new URLSearchParams();
    for (const name of ['after', 'before', 'limit']) {
      if (query[name] !== undefined) params.set(name, String(query[name]));
    }
    return groupCall('group.history', query, 'GET', `/${query.group}/messages?${params}`);
  }

  /** Folds a summary (from group.sync or group.create) into the group's record. */
  function mergeGroup(summary) {
    let group = state.groups.get(summary.group);
    if (!group) {
      group = {
        group: summary.group, key: groupKey(summary.group), lastSeq: 0, readSeq: 0, serverReadSeq: 0,
        lastMessage: null, heldSeq: null, pulling: null, pullAgain: false,
      };
      state.groups.set(summary.group, group);
    }
    group.name = summary.name;
    group.role = summary.role;
    group.memberCount = summary.memberCount;
    group.joinSeq = summary.joinSeq;
    group.leftSeq = summary.leftSeq === undefined ? null : summary.leftSeq;
    // Pushes may be ahead of a summary read a moment earlier: positions never go back.
    group.lastSeq = Math.max(group.lastSeq, summary.lastSeq);
    group.readSeq = Math.max(group.readSeq, summary.readSeq);
    group.serverReadSeq = Math.max(group.serverReadSeq, summary.readSeq);
    return group;
  }

  function setGroupsAvailable(on) {
    state.groupsAvailable = on;
    $('new-group').hidden = !on;
  }

  /** group.sync, then a pull for every group whose last seq moved past what is held. */
  async function syncGroups() {
    const epoch = state.epoch;
    let data;
    try {
      data = await groupCall('group.sync', {}, 'GET', '');
    } catch (error) {
      // A server without lesson 20 has no groups: the client works without them.
      if (error instanceof ApiError && (error.code === 'unknown_type' || error.status === 404)) {
        setGroupsAvailable(false);
        return;
      }
      throw error;
    }
    if (epoch !== state.epoch) return;
    setGroupsAvailable(true);
    for (const summary of data.groups || []) {
      const group = mergeGroup(summary);
      if (group.heldSeq === null || group.heldSeq < visibleThrough(group)) pullGroup(group);
    }
    renderContacts();
    fillConversationHeader();
    const open = state.open;
    if (open && open.group !== undefined && unreadOf(open.conversationID) > 0 && isVisible()) {
      scheduleRead(open.conversationID);
    }
  }

  let groupSync = null;
  let groupSyncAgain = false;

  /**
   * One group.sync at a time. A call while one is in flight runs another after it: the one in
   * flight may have been read before what made the caller ask (a reconnect, a membership push).
   */
  function syncGroupsSoon() {
    if (groupSync) {
      groupSyncAgain = true;
      return groupSync;
    }
    groupSync = syncGroups()
      .catch(report)
      .finally(() => {
        groupSync = null;
        if (groupSyncAgain && state.session) {
          groupSyncAgain = false;
          syncGroupsSoon();
        }
      });
    return groupSync;
  }

  /**
   * Pulls what the group is missing: at first sight only its newest message (for the list; the
   * view loads its own page), then every visible message after `heldSeq` up to its last seq.
   * One pull per group at a time; asking again meanwhile runs one more.
   */
  function pullGroup(group) {
    if (group.pulling) {
      group.pullAgain = true;
      return group.pulling;
    }
    const epoch = state.epoch;
    group.pulling = (async () => {
      for (let round = 0; round < GROUP_PULL_ROUNDS; round += 1) {
        if (epoch !== state.epoch) return;
        if (group.heldSeq !== null && group.heldSeq >= visibleThrough(group)) return;
        const first = group.heldSeq === null;
        const page = await groupHistory(first
          ? { group: group.group, limit: 1 }
          : { group: group.group, after: Math.max(group.heldSeq, group.joinSeq), limit: HISTORY_PAGE });
        if (epoch !== state.epoch) return;
        const messages = page.messages || [];
        for (const message of messages) receiveGroupMessage(message, { pulled: true });
        if (messages.length > 0) {
          group.heldSeq = Math.max(group.heldSeq || 0, messages[messages.length - 1].seq);
        } else if (first) {
          group.heldSeq = typeof page.joinSeq === 'number' ? page.joinSeq : group.joinSeq; // nothing visible yet
        } else {
          return; // nothing more to see (our lastSeq was ahead of what we may read)
        }
      }
    })()
      .catch(report)
      .finally(() => {
        group.pulling = null;
        if (group.pullAgain && epoch === state.epoch) {
          group.pullAgain = false;
          pullGroup(group);
        }
      });
    return group.pulling;
  }

  /** A group message as the message list shows it: its seq is its id within the conversation. */
  function groupViewMessage(message) {
    return {
      id: message.seq, conversationID: groupKey(message.group), from: message.from,
      body: message.body, sentAt: message.sentAt, clientMsgID: message.clientMsgID,
    };
  }

  /**
   * Every group message from any path (push, send answer, history page) passes through here:
   * the list's preview and unread count, a pending send settled, the open view. Pushes and
   * answers (not pulls, which set heldSeq themselves) move heldSeq on, or pull a gap.
   */
  function receiveGroupMessage(message, { pulled = false } = {}) {
    if (!message || typeof message.seq !== 'number' || !state.session) return;
    const group = state.groups.get(message.group);
    if (!group) {
      syncGroupsSoon(); // a group we have not heard of yet: the sync pulls it
      return;
    }
    const me = state.session.user.id;
    group.lastSeq = Math.max(group.lastSeq, message.seq);
    if (message.from === me) {
      // The server counts our own messages as read.
      group.readSeq = Math.max(group.readSeq, message.seq);
      group.serverReadSeq = Math.max(group.serverReadSeq, message.seq);
    }
    if (!group.lastMessage || message.seq > group.lastMessage.seq) group.lastMessage = message;

    let node;
    if (message.from === me && message.clientMsgID) {
      const pending = state.pending.get(message.clientMsgID);
      if (pending && pending.group === message.group) {
        state.pending.delete(message.clientMsgID);
        node = pending.node;
      }
    }
    const open = state.open;
    const inOpen = !!open && open.conversationID === group.key;
    const seen = inOpen && message.from !== me && isVisible();
    if (seen) group.readSeq = Math.max(group.readSeq, message.seq); // on screen: no badge; the server hears soon
    if (inOpen) {
      const wasNearBottom = nearBottom();
      insertMessage(groupViewMessage(message), node);
      if (wasNearBottom || message.from === me) scrollToBottom();
    } else if (node && node.isConnected) {
      node.remove();
    }

    if (!pulled) {
      if (group.heldSeq === null) pullGroup(group);
      else if (message.seq === group.heldSeq + 1) group.heldSeq = message.seq;
      else if (message.seq > group.heldSeq + 1) pullGroup(group); // a gap: fetch what lies between
    }
    renderContacts();
    if (seen) scheduleRead(group.key);
  }

  /** Marks everything visible as read: the badge clears at once, then the server is told. */
  async function markGroupRead(group) {
    const upToSeq = visibleThrough(group);
    group.readSeq = Math.max(group.readSeq, upToSeq);
    renderContacts();
    if (group.serverReadSeq >= upToSeq || upToSeq <= group.joinSeq) return;
    try {
      const receipt = await groupCall('group.read', { group: group.group, upToSeq }, 'POST',
        `/${group.group}/read?upToSeq=${upToSeq}`);
      group.serverReadSeq = Math.max(group.serverReadSeq, receipt.readSeq);
      group.readSeq = Math.max(group.readSeq, receipt.readSeq);
      renderContacts();
    } catch (error) {
      report(error);
    }
  }

  /** Pushed: read on another of our devices. */
  function onGroupReadPush(receipt) {
    const group = receipt && state.groups.get(receipt.group);
    if (!group) return;
    group.readSeq = Math.max(group.readSeq, receipt.readSeq);
    group.serverReadSeq = Math.max(group.serverReadSeq, receipt.readSeq);
    renderContacts();
  }

  /** Pushed: members were added or removed. A removed self reads up to `atSeq` and no more. */
  function onGroupMemberPush(change) {
    if (!change || !state.session) return;
    const group = state.groups.get(change.group);
    if (group && change.kind === 'removed' && (change.users || []).includes(state.session.user.id)) {
      group.leftSeq = change.atSeq;
      renderContacts();
      fillConversationHeader();
    }
    // The member count, a new group, a new role: the summary tells.
    syncGroupsSoon();
    if (group && !$('members-panel').hidden && state.open && state.open.group === group.group) loadMembers(group);
  }

  function fillGroupAvatar(node, group) {
    // Initials from the name's letters and digits only ("<b>team</b> & co" gives "TC").
    const words = group.name.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
    fillAvatar(node, { displayName: words || group.name, username: `#${group.name}` });
  }

  function buildGroupNode(group) {
    const li = buildChatNode(
      { 'data-testid': `group-${group.group}`, 'data-kind': 'group', 'data-group-id': group.group },
      () => openGroup(group));
    li.firstChild.querySelector('.avatar').classList.add('group');
    return li;
  }

  function updateGroupNode(li, group) {
    const me = state.session.user.id;
    const last = group.lastMessage;
    let preview = `${group.memberCount} members · no messages yet`;
    if (last) preview = `${last.from === me ? 'You' : displayName(userByID(last.from))}: ${last.body}`;
    if (groupLeft(group)) preview = 'You are no longer a member';
    fillGroupAvatar(li.firstChild.querySelector('.avatar'), group);
    const button = fillChatNode(li, {
      key: group.key,
      name: group.name,
      last,
      preview,
      unread: groupUnread(group),
      badgeTestID: `group-unread-${group.group}`,
      label: `Group ${group.name}, ${group.memberCount} members`,
    });
    button.classList.toggle('left', groupLeft(group));
  }

  async function openGroup(group) {
    if (focusIfOpen(group.key)) return;
    const open = showConversation(group.key, { group: group.group, peer: null });
    const stillOpen = await loadNewestPage(
      open,
      () => groupHistory({ group: group.group, limit: HISTORY_PAGE }),
      (messages) => {
        for (const message of messages) receiveGroupMessage(message, { pulled: true });
        // The newest page is held for the list too; a gap below it is only older history.
        if (messages.length > 0) group.heldSeq = Math.max(group.heldSeq || 0, messages[messages.length - 1].seq);
        if (group.heldSeq === null || group.heldSeq < visibleThrough(group)) pullGroup(group);
      });
    // What the page put on screen counts as read already here; the server is told now.
    if (stillOpen && isVisible()) markGroupRead(group);
  }

  /** Sends over group.send (or its route): the answer carries the stored message with its seq. */
  async function dispatchGroupSend(pending) {
    pending.via = 'group'; // not orphaned by a socket going down: groupCall falls back to HTTP
    const epoch = state.epoch;
    const body = { body: pending.body, clientMsgID: pending.clientMsgID };
    try {
      const reply = await groupCall('group.send', { group: pending.group, ...body }, 'POST', `/${pending.group}/messages`, body);
      if (epoch !== state.epoch) return;
      receiveGroupMessage(reply.message);
    } catch (error) {
      if (epoch === state.epoch) sendFailed(pending, error);
    }
  }

  // MARK: - New group form

  const groupPicked = new Set(); // user ids ticked in the form

  async function openGroupForm() {
    closePicker();
    setSidebarPanel('group-form', 'new-group', true);
    $('group-name').value = '';
    $('group-search').value = '';
    $('group-form-error').textContent = '';
    groupPicked.clear();
    $('group-name').focus();
    await showDirectory($('group-user-list'), filterGroupUsers);
  }

  function closeGroupForm() {
    setSidebarPanel('group-form', 'new-group', false, '+ New group');
  }

  function filterGroupUsers() {
    const list = $('group-user-list');
    const matches = matchUsers(directory, $('group-search').value, list);
    if (matches.length > 0) list.replaceChildren(...matches.map((user) => checkUserRow(user, `group-pick-${user.username}`, groupPicked)));
  }

  async function onGroupFormSubmit(event) {
    event.preventDefault();
    const name = $('group-name').value.trim();
    const errorLine = $('group-form-error');
    errorLine.textContent = '';
    if (!name || name.length > 64) {
      errorLine.textContent = 'A group name has 1 to 64 characters.';
      $('group-name').focus();
      return;
    }
    const members = [...groupPicked];
    $('group-create').disabled = true;
    const epoch = state.epoch;
    try {
      const summary = await groupCall('group.create', { name, members }, 'POST', '', { name, members });
      if (epoch !== state.epoch) return;
      const group = mergeGroup(summary);
      if (group.heldSeq === null && summary.lastSeq === 0) group.heldSeq = 0; // new: nothing to pull
      closeGroupForm();
      renderContacts();
      openGroup(group);
    } catch (error) {
      errorLine.textContent = formErrorText(error);
    } finally {
      $('group-create').disabled = false;
    }
  }

  // MARK: - Members panel (group header)

  const addPicked = new Set(); // user ids ticked to add

  function openGroupOf() {
    const open = state.open;
    return open && open.group !== undefined ? state.groups.get(open.group) || null : null;
  }

  function toggleMembers() {
    const group = openGroupOf();
    if (!group) return;
    if (!$('members-panel').hidden) {
      closeMembers();
      return;
    }
    $('members-panel').hidden = false;
    $('members-toggle').setAttribute('aria-expanded', 'true');
    addPicked.clear();
    loadMembers(group);
  }

  function closeMembers() {
    $('members-panel').hidden = true;
    $('members-toggle').setAttribute('aria-expanded', 'false');
  }

  /** The members with their roles; for the owner and admins, the people who could be added. */
  async function loadMembers(group) {
    const list = $('member-list');
    list.replaceChildren(el('li', { class: 'muted' }, 'Loading…'));
    $('add-members-form').hidden = true;
    $('leave-group').hidden = groupLeft(group) || group.role === 'owner'; // the owner cannot be removed
    const epoch = state.epoch;
    try {
      const [data] = await Promise.all([
        groupCall('group.members', { group: group.group }, 'GET', `/${group.group}/members`),
        loadDirectory().catch(() => directory),
      ]);
      if (epoch !== state.epoch || openGroupOf() !== group || $('members-panel').hidden) return;
      const me = state.session.user;
      const members = data.members || [];
      list.replaceChildren(...members.map((member) => {
        const user = member.user === me.id ? me : userByID(member.user);
        const li = el('li', { class: 'member', 'data-testid': `member-${user.username}` });
        userRow(li, user);
        if (member.role !== 'member') li.append(el('span', { class: 'role' }, member.role));
        return li;
      }));
      if (canManage(group)) {
        const inGroup = new Set(members.map((member) => member.user));
        const others = directory.filter((user) => !inGroup.has(user.id));
        const addList = $('add-user-list');
        if (others.length === 0) addList.replaceChildren(el('li', { class: 'muted' }, 'Everybody is in this group.'));
        else addList.replaceChildren(...others.map((user) => checkUserRow(user, `add-member-${user.username}`, addPicked)));
        $('add-members-submit').disabled = others.length === 0;
        $('add-members-form').hidden = false;
      }
    } catch (error) {
      list.replaceChildren(el('li', { class: 'muted' }, 'Could not load the members.'));
      report(error);
    }
  }

  async function onAddMembers(event) {
    event.preventDefault();
    const group = openGroupOf();
    const users = [...addPicked];
    if (!group || users.length === 0) return;
    $('add-members-submit').disabled = true;
    try {
      await groupCall('group.add', { group: group.group, users }, 'POST', `/${group.group}/members`, { users });
      addPicked.clear();
      await syncGroupsSoon();
      if (openGroupOf() === group && !$('members-panel').hidden) loadMembers(group);
    } catch (error) {
      report(error);
    } finally {
      $('add-members-submit').disabled = false;
    }
  }

  async function onLeaveGroup() {
    const group = openGroupOf();
    if (!group || groupLeft(group)) return;
    if (!window.confirm(`Leave “${group.name}”? You keep the messages sent until now.`)) return;
    const me = state.session.user.id;
    try {
      const change = await groupCall('group.remove', { group: group.group, user: me }, 'DELETE', `/${group.group}/members/${me}`);
      group.leftSeq = change.atSeq;
      closeMembers();
      renderContacts();
      fillConversationHeader();
      syncGroupsSoon();
    } catch (error) {
      report(error);
    }
  }

  // MARK: - Connection: WebSocket, long polling, catch-up

  const connection = {
    ws: null,
    live: false,
    active: false,
    attempt: 0,
    reconnectTimer: null,
    helloTimer: null,
    pingTimer: null,
    pongTimer: null,
    polling: false,
    pollAbort: null,
    requests: new Map(), // request id -> {type, clientMsgID} or, for call(), {type, resolve, reject}
    groupTimer: null,

    start() {
      this.active = true;
      this.attempt = 0;
      this.setState('connecting', 'connecting…');
      this.connect();
    },

    stop() {
      this.active = false;
      this.live = false;
      clearTimeout(this.reconnectTimer);
      clearTimeout(this.helloTimer);
      this.stopHeartbeat();
      this.stopPolling();
      if (this.ws) {
        const ws = this.ws;
        this.ws = null;
        try { ws.close(1000, 'bye'); } catch { /* already closed */ }
      }
      this.failCalls();
      this.setState('offline', 'offline');
    },

    setState(name, text) {
      const node = $('connection-state');
      node.dataset.state = name;
      node.querySelector('.conn-text').textContent = text;
      node.title = {
        live: 'Messages arrive instantly over a WebSocket.',
        polling: 'The WebSocket is down; messages arrive by long polling meanwhile.',
        reconnecting: 'Trying to reconnect…',
        connecting: 'Connecting…',
        offline: 'The server cannot be reached. Retrying…',
      }[name] || '';
    },

    url() {
      const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
      return `${scheme}//${location.host}/ws?token=${encodeURIComponent(state.session.token)}`;
    },

    connect() {
      clearTimeout(this.reconnectTimer);
      if (!this.active || !state.session) return;
      let ws;
      try {
        ws = new WebSocket(this.url());
      } catch (error) {
        console.error(error);
        this.onDown();
        return;
      }
      this.ws = ws;
      this.ackUpTo = undefined; // push ids count from 1 again on every connection
      ws.onmessage = (event) => { if (this.ws === ws) this.onFrame(event.data); };
      ws.onclose = () => { if (this.ws === ws) { this.ws = null; this.onDown(); } };
      ws.onerror = () => { /* a close event follows */ };
      clearTimeout(this.helloTimer);
      this.helloTimer = setTimeout(() => {
        if (this.ws === ws && !this.live) this.dropSocket();
      }, HELLO_TIMEOUT);
    },

    /** Gives up on a socket that stopped answering, without waiting for a closing handshake. */
    dropSocket() {
      const ws = this.ws;
      if (!ws) return;
      this.ws = null;
      try { ws.close(); } catch { /* already closed */ }
      this.onDown();
    },

    /** The socket is gone (or never came up): poll meanwhile and retry with backoff. */
    onDown() {
      const wasLive = this.live;
      this.live = false;
      clearTimeout(this.helloTimer);
      this.stopHeartbeat();
      // Sends and reads in flight on that socket have no answer coming.
      for (const pending of state.pending.values()) {
        if (pending.via === 'ws' && !pending.failed) { pending.orphaned = true; pending.via = null; }
      }
      this.failCalls();
      if (!this.active || !state.session) return;
      if (wasLive || this.dataset() !== 'polling') {
        this.setState(navigator.onLine === false ? 'offline' : 'reconnecting', navigator.onLine === false ? 'offline' : 'reconnecting…');
      }
      this.startPolling();
      // A socket refused at the upgrade may mean a dead token: ask once over HTTP (a 401 signs out).
      if (!wasLive && this.attempt === 0) api('GET', '/me').catch(() => {});
      this.scheduleReconnect();
    },

    dataset() {
      return $('connection-state').dataset.state;
    },

    scheduleReconnect() {
      clearTimeout(this.reconnectTimer);
      const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt);
      this.attempt += 1;
      const delay = Math.round(base * (0.5 + Math.random() * 0.5)); // jitter: 50–100 % of the step
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    },

    reconnectNow() {
      if (!this.active || this.live || this.ws) return;
      this.attempt = 0;
      this.connect();
    },

    send(frame) {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
      this.ws.send(JSON.stringify({ v: 1, ...frame }));
      return true;
    },

    request(type, data) {
      state.requestCounter += 1;
      const id = `r${state.requestCounter}`;
      this.requests.set(id, { type, clientMsgID: data && data.clientMsgID });
      this.send({ type, id, data });
      return id;
    },

    /** A request whose answer (or error frame) with `ref` = its id settles the promise. */
    call(type, data) {
      return new Promise((resolve, reject) => {
        state.requestCounter += 1;
        const id = `r${state.requestCounter}`;
        if (!this.send({ type, id, data })) {
          reject(new ApiError(0, 'network', 'the WebSocket is not open'));
          return;
        }
        this.requests.set(id, { type, resolve, reject });
      });
    },

    /** Requests in flight on a socket that is gone get no answer: their callers hear it now. */
    failCalls() {
      for (const request of this.requests.values()) {
        if (request.reject) request.reject(new ApiError(0, 'network', 'the connection closed'));
      }
      this.requests.clear();
    },

    onFrame(text) {
      let frame;
      try { frame = JSON.parse(text); } catch { console.warn('not JSON:', text); return; }
      this.gotFrame();
      const request = frame.ref ? this.requests.get(frame.ref) : undefined;
      if (frame.ref) this.requests.delete(frame.ref);
      if (request && request.resolve) {
        const data = frame.data || {};
        if (frame.type === 'error') {
          request.reject(new ApiError(400, data.code || 'error', data.message || 'the server reported an error', data.retryAfter));
        } else {
          request.resolve(data);
        }
        return;
      }
      switch (frame.type) {
        case 'hello': this.onHello(frame.data || {}); break;
        case 'push': this.onPush(frame.data || {}); break;
        case 'ack': if (frame.data) ingest(frame.data.message); break;
        case 'read': break; // our badge was cleared when we sent it
        case 'pong': break;
        case 'group.message': receiveGroupMessage(frame.data); break;
        case 'group.read': onGroupReadPush(frame.data); break;
        case 'group.member': onGroupMemberPush(frame.data); break;
        case 'error': this.onErrorFrame(frame, request); break;
        default: console.warn('unknown frame', frame.type);
      }
    },

    /**
     * A timeline entry (lessons 04 and 09): acknowledge it, then show it. A burst of pushes gets
     * one cumulative ACK (lesson 20): the highest id is noted, and one `pushAck {upTo}` goes out
     * once the frames already received have been handled.
     */
    onPush(data) {
      if (typeof data.pushID === 'number') {
        const first = this.ackUpTo === undefined;
        this.ackUpTo = Math.max(this.ackUpTo || 0, data.pushID);
        if (first) setTimeout(() => {
          const upTo = this.ackUpTo;
          this.ackUpTo = undefined;
          if (upTo !== undefined) this.send({ type: 'pushAck', data: { upTo } });
        }, 0);
      }
      const entry = data.entry || {};
      if (entry.message) ingest(entry.message);
      if (entry.read) {
        // Read on another of our devices: its badge clears here too.
        const contact = state.contacts.get(entry.read.conversationID);
        if (contact) {
          contact.unread = entry.read.unread;
          renderContacts();
        }
      }
    },

    onErrorFrame(frame, request) {
      const data = frame.data || {};
      if (request && request.type === 'send' && request.clientMsgID) {
        const pending = state.pending.get(request.clientMsgID);
        if (pending && retryLater(pending, data.code, data.retryAfter)) return;
        if (pending) {
          pending.failed = true;
          markFailed(pending, data.code);
        }
      }
      showError(`${data.message || 'the server reported an error'} (${data.code || 'error'})`);
    },

    async onHello(data) {
      clearTimeout(this.helloTimer);
      this.live = true;
      this.attempt = 0;
      this.stopPolling();
      this.setState('live', 'live (WebSocket)');
      this.startHeartbeat();
      if (data.user) rememberUser(data.user);
      // Lesson 06: a token past half its life comes back renewed in hello; keep the newest.
      if (typeof data.token === 'string' && state.session) {
        state.session.token = data.token;
        sessionStorage.setItem(STORAGE_SESSION, JSON.stringify(state.session));
      }
      if (!state.contactsLoaded) refreshContactsSoon();
      // Group messages are not in the timeline: a sync tells which groups moved while we were away.
      syncGroupsSoon();
      // Catch up on anything sent while we were not listening, then resend orphaned sends.
      const epoch = state.epoch;
      if (typeof data.cursor !== 'number' || data.cursor > state.cursor) {
        try {
          await this.catchUp();
        } catch (error) {
          if (epoch === state.epoch) report(error);
        }
      }
      if (epoch === state.epoch && this.live) resendOrphans();
    },

    /** Short polls from the cursor until nothing newer is left. */
    async catchUp() {
      for (let round = 0; round < 20; round += 1) {
        const data = await api('GET', `/poll?after=${state.cursor}`);
        const messages = data.messages || [];
        for (const message of messages) ingest(message);
        if (typeof data.cursor === 'number') state.cursor = Math.max(state.cursor, data.cursor);
        if (messages.length === 0) return;
      }
    },

    startHeartbeat() {
      this.stopHeartbeat();
      this.pingTimer = setInterval(() => {
        if (!this.live) return;
        this.send({ type: 'ping', id: `p${Date.now()}` });
        clearTimeout(this.pongTimer);
        this.pongTimer = setTimeout(() => this.dropSocket(), PONG_TIMEOUT);
      }, PING_EVERY);
    },

    gotFrame() {
      clearTimeout(this.pongTimer);
    },

    stopHeartbeat() {
      clearInterval(this.pingTimer);
      clearTimeout(this.pongTimer);
    },

    startPolling() {
      if (this.polling) return;
      this.polling = true;
      this.pollLoop();
      // Long polls carry the timeline only; groups are synced over HTTP meanwhile.
      clearInterval(this.groupTimer);
      this.groupTimer = setInterval(() => { if (!this.live) syncGroupsSoon(); }, GROUP_POLL_EVERY);
    },

    stopPolling() {
      this.polling = false;
      clearInterval(this.groupTimer);
      if (this.pollAbort) this.pollAbort.abort();
      this.pollAbort = null;
    },

    async pollLoop() {
      const epoch = state.epoch;
      let first = true;
      let failures = 0;
      while (this.polling && this.active && epoch === state.epoch) {
        const abort = new AbortController();
        this.pollAbort = abort;
        try {
          // The first round catches up at once; the next ones wait for news.
          const wait = first ? '' : `&wait=${LONG_POLL_WAIT}`;
          const data = await api('GET', `/poll?after=${state.cursor}${wait}`, undefined, { signal: abort.signal });
          if (!this.polling || epoch !== state.epoch) break;
          for (const message of data.messages || []) ingest(message);
          if (typeof data.cursor === 'number') state.cursor = Math.max(state.cursor, data.cursor);
          failures = 0;
          if (!this.live) this.setState('polling', 'long polling');
          if (first) { first = false; resendOrphans(); if (!this.live) syncGroupsSoon(); }
        } catch (error) {
          if (error && error.name === 'AbortError') break;
          if (error instanceof ApiError && error.status === 401) break;
          if (!this.polling || epoch !== state.epoch) break;
          failures += 1;
          if (!this.live) {
            const offline = navigator.onLine === false;
            this.setState(offline ? 'offline' : 'reconnecting', offline ? 'offline' : 'reconnecting…');
          }
          await sleep(Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** Math.min(failures, 5)) * (0.5 + Math.random() * 0.5));
        }
      }
      if (this.pollAbort && !this.polling) this.pollAbort = null;
    },
  };

  // MARK: - Composer sizing and keys

  function autosize() {
    const c = $('composer');
    c.style.height = 'auto';
    c.style.height = `${Math.min(c.scrollHeight + 2, 160)}px`;
    c.style.overflowY = c.scrollHeight + 2 > 160 ? 'auto' : 'hidden';
  }

  // MARK: - Wiring

  function init() {
    $('login-form').addEventListener('submit', onLoginSubmit);
    $('register-toggle').addEventListener('click', () => setRegistering(!registering));
    $('banner-close').addEventListener('click', hideError);
    $('logout').addEventListener('click', () => signOut(''));
    $('new-chat').addEventListener('click', () => ($('picker').hidden ? openPicker() : closePicker()));
    $('user-search').addEventListener('input', filterUsers);
    $('new-group').addEventListener('click', () => ($('group-form').hidden ? openGroupForm() : closeGroupForm()));
    $('group-search').addEventListener('input', filterGroupUsers);
    $('group-form').addEventListener('submit', onGroupFormSubmit);
    $('group-form').addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { closeGroupForm(); $('new-group').focus(); }
    });
    $('members-toggle').addEventListener('click', toggleMembers);
    $('add-members-form').addEventListener('submit', onAddMembers);
    $('leave-group').addEventListener('click', onLeaveGroup);
    $('picker').addEventListener('keydown', (event) => {
      if (event.key === 'Escape') { closePicker(); $('new-chat').focus(); }
    });
    $('load-older').addEventListener('click', loadOlder);
    $('back').addEventListener('click', () => {
      state.open = null;
      closeConversationView();
      renderContacts();
    });
    $('composer-form').addEventListener('submit', onComposerSubmit);
    $('composer').addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $('composer-form').requestSubmit();
      }
    });
    $('composer').addEventListener('input', autosize);
    document.addEventListener('visibilitychange', () => {
      if (!isVisible() || !state.open) return;
      if (unreadOf(state.open.conversationID) > 0) markRead(state.open.conversationID);
    });
    window.addEventListener('online', () => connection.reconnectNow());
    window.addEventListener('offline', () => { if (!connection.live) connection.setState('offline', 'offline'); });

    const saved = sessionStorage.getItem(STORAGE_SESSION);
    let session = null;
    try { session = saved ? JSON.parse(saved) : null; } catch { session = null; }
    if (session && session.token && session.user) {
      // Resume: check the token first (a 401 returns to the login screen).
      state.session = session;
      api('GET', '/me')
        .then((data) => startSession({ ...session, user: data.user || session.user }))
        .catch((error) => {
          if (error instanceof ApiError && error.status === 401) return; // signOut already ran
          // The server is unreachable: show what we can and keep retrying in the background.
          startSession(session);
        });
    } else {
      setRegistering(false);
      showLogin('');
    }
  }

  init();
})();
