// The course's web client: plain JavaScript, no build step, no dependencies.
// It speaks the protocol in docs/PROTOCOL.md: HTTP for sign-in, history and contacts; a WebSocket
// for live delivery, with long polling while the WebSocket is down and a catch-up poll after it
// comes back. Every piece of user text goes into the page through textContent, never innerHTML.
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
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
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
      errorLine.textContent = error instanceof ApiError
        ? (error.code === 'network' ? 'Cannot reach the server.' : error.message)
        : String(error);
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
    state.users.clear();
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
    if (state.open) {
      const contact = state.contacts.get(state.open.conversationID);
      if (contact && contact.unread > 0 && isVisible()) scheduleRead(state.open.conversationID);
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

  function sortedContacts() {
    return [...state.contacts.values()].sort((a, b) => {
      const ai = a.lastMessage ? a.lastMessage.id : Number.MAX_SAFE_INTEGER;
      const bi = b.lastMessage ? b.lastMessage.id : Number.MAX_SAFE_INTEGER;
      return bi - ai;
    });
  }

  function renderContacts() {
    const list = $('contact-list');
    const contacts = sortedContacts();
    const keep = new Set();
    contacts.forEach((contact, index) => {
      keep.add(contact.conversationID);
      let node = contactNodes.get(contact.conversationID);
      if (!node) {
        node = buildContactNode(contact);
        contactNodes.set(contact.conversationID, node);
      }
      updateContactNode(node, contact);
      if (list.children[index] !== node) list.insertBefore(node, list.children[index] || null);
    });
    for (const [id, node] of contactNodes) {
      if (!keep.has(id)) { node.remove(); contactNodes.delete(id); }
    }
    $('contacts-empty').hidden = contacts.length > 0;
    updateTitle();
  }

  function buildContactNode(contact) {
    const li = el('li', { class: 'contact-item' });
    const button = el('button', { type: 'button', class: 'contact', 'data-testid': `contact-${contact.peer.username}` });
    const avatar = el('span', { class: 'avatar', 'aria-hidden': 'true' });
    const body = el('span', { class: 'contact-body' });
    const top = el('span', { class: 'contact-top' });
    top.append(el('span', { class: 'contact-name' }), el('span', { class: 'contact-time' }));
    const bottom = el('span', { class: 'contact-bottom' });
    bottom.append(el('span', { class: 'contact-preview' }));
    body.append(top, bottom);
    button.append(avatar, body);
    button.addEventListener('click', () => openConversation(contact.peer));
    li.append(button);
    return li;
  }

  function updateContactNode(li, contact) {
    const button = li.firstChild;
    const me = state.session.user.id;
    fillAvatar(button.querySelector('.avatar'), contact.peer);
    button.querySelector('.contact-name').textContent = displayName(contact.peer);
    const last = contact.lastMessage;
    const time = button.querySelector('.contact-time');
    time.textContent = last ? contactTime(last.sentAt) : '';
    const preview = button.querySelector('.contact-preview');
    preview.textContent = last ? (last.from === me ? `You: ${last.body}` : last.body) : 'No messages yet';
    const bottom = button.querySelector('.contact-bottom');
    let badge = bottom.querySelector('.badge');
    if (contact.unread > 0) {
      if (!badge) {
        badge = el('span', { class: 'badge', 'data-testid': `unread-${contact.peer.username}` });
        bottom.append(badge);
      }
      badge.textContent = contact.unread > 99 ? '99+' : String(contact.unread);
    } else if (badge) {
      badge.remove();
    }
    const isOpen = state.open && state.open.conversationID === contact.conversationID;
    button.classList.toggle('active', !!isOpen);
    button.classList.toggle('has-unread', contact.unread > 0);
    if (isOpen) button.setAttribute('aria-current', 'true'); else button.removeAttribute('aria-current');
    const unreadText = contact.unread > 0 ? `, ${contact.unread} unread` : '';
    button.setAttribute('aria-label', `${displayName(contact.peer)} (@${contact.peer.username})${unreadText}`);
  }

  function updateTitle() {
    let total = 0;
    for (const contact of state.contacts.values()) total += contact.unread;
    document.title = total > 0 ? `(${total}) IM` : 'IM';
  }

  // MARK: - New chat picker

  async function openPicker() {
    $('picker').hidden = false;
    $('new-chat').setAttribute('aria-expanded', 'true');
    $('new-chat').textContent = '× Close';
    $('user-search').value = '';
    $('user-search').focus();
    const list = $('user-list');
    list.replaceChildren(el('li', { class: 'muted' }, 'Loading…'));
    const epoch = state.epoch;
    try {
      const data = await api('GET', '/users');
      if (epoch !== state.epoch) return;
      const users = (data.users || []).filter((u) => u.id !== state.session.user.id);
      users.forEach(rememberUser);
      renderUsers(users);
    } catch (error) {
      list.replaceChildren(el('li', { class: 'muted' }, 'Could not load people.'));
      report(error);
    }
  }

  let directory = [];
  function renderUsers(users) {
    directory = users;
    filterUsers();
  }

  function filterUsers() {
    const query = $('user-search').value.trim().toLowerCase();
    const list = $('user-list');
    const matches = directory.filter((u) =>
      !query || u.username.includes(query) || (u.displayName || '').toLowerCase().includes(query));
    if (matches.length === 0) {
      list.replaceChildren(el('li', { class: 'muted' }, directory.length ? 'Nobody matches.' : 'Nobody else is here yet.'));
      return;
    }
    list.replaceChildren(...matches.map((user) => {
      const li = el('li');
      const button = el('button', { type: 'button', class: 'user', 'data-testid': `user-${user.username}` });
      const avatar = el('span', { class: 'avatar small', 'aria-hidden': 'true' });
      fillAvatar(avatar, user);
      const text = el('span', { class: 'user-text' });
      text.append(el('span', { class: 'user-name' }, displayName(user)), el('span', { class: 'user-handle' }, `@${user.username}`));
      button.append(avatar, text);
      button.addEventListener('click', () => { closePicker(); openConversation(user); });
      li.append(button);
      return li;
    }));
  }

  function closePicker() {
    $('picker').hidden = true;
    $('new-chat').setAttribute('aria-expanded', 'false');
    $('new-chat').textContent = '+ New chat';
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
  }

  async function openConversation(peer) {
    rememberUser(peer);
    const conversationID = directConversationID(state.session.user.id, peer.id);
    if (state.open && state.open.conversationID === conversationID) {
      // Already open: just bring it forward (on a phone the list hides it).
      $('main-screen').classList.add('show-conversation');
      $('composer').focus();
      const contact = state.contacts.get(conversationID);
      if (contact && contact.unread > 0) markRead(conversationID);
      return;
    }
    const open = {
      conversationID,
      peer,
      ids: new Set(),      // message ids on screen
      oldest: null,        // the smallest id on screen, the next `before`
      hasMore: false,
      loadingOlder: false,
    };
    state.open = open;
    $('message-list').replaceChildren();
    $('history-empty').hidden = true;
    $('load-older').hidden = true;
    $('no-conversation').hidden = true;
    $('conversation-view').hidden = false;
    $('main-screen').classList.add('show-conversation');
    $('peer-name').textContent = displayName(peer);
    $('peer-username').textContent = `@${peer.username}`;
    fillAvatar($('peer-avatar'), peer);
    $('message-list').setAttribute('aria-busy', 'true');
    renderContacts();
    // Pending sends to this peer (from before the view was switched) stay visible.
    for (const pending of state.pending.values()) {
      if (pending.conversationID === conversationID) $('message-list').append(pending.node);
    }
    $('composer').focus();

    const epoch = state.epoch;
    try {
      const data = await api('GET', `/conversations/${encodeURIComponent(conversationID)}/messages?limit=${HISTORY_PAGE}`);
      if (epoch !== state.epoch || state.open !== open) return;
      for (const message of data.messages || []) insertMessage(message);
      open.hasMore = !!data.hasMore;
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
    const contact = state.contacts.get(conversationID);
    if (state.open === open && contact && contact.unread > 0) markRead(conversationID);
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
      const data = await api('GET',
        `/conversations/${encodeURIComponent(open.conversationID)}/messages?before=${open.oldest}&limit=${HISTORY_PAGE}`);
      if (state.open !== open) return;
      for (const message of data.messages || []) insertMessage(message);
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
    return state.users.get(message.from) || { id: message.from, username: `user${message.from}` };
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
    rememberUser(senderOf(message));
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
    state.sendCounter += 1;
    const clientMsgID = `web-${state.session.deviceID}-${Date.now().toString(36)}-${state.sendCounter}`.slice(-64);
    const message = {
      from: state.session.user.id, to: open.peer.id, conversationID: open.conversationID,
      body, clientMsgID, sentAt: Date.now(),
    };
    const node = buildMessageNode(message, { pending: true });
    $('message-list').append(node);
    regroup(node);
    updateEmptyHint();
    scrollToBottom();
    const pending = { clientMsgID, to: open.peer.id, body, conversationID: open.conversationID, node, via: null, requestID: null, failed: false };
    state.pending.set(clientMsgID, pending);
    dispatchSend(pending);
    composer.focus();
  }

  /** Over the WebSocket when it is live (answered by an `ack`), else HTTP POST. */
  async function dispatchSend(pending) {
    if (!state.pending.has(pending.clientMsgID)) state.pending.set(pending.clientMsgID, pending);
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
      if (epoch !== state.epoch) return;
      if (!state.pending.has(pending.clientMsgID)) return; // delivered by another path meanwhile
      if (error instanceof ApiError && error.code === 'network') {
        // Not reachable: keep it queued; it goes out after the next successful catch-up (which
        // first tells whether this request was stored after all, so nothing is sent twice).
        pending.orphaned = true;
        pending.node.querySelector('.status').textContent = 'waiting for connection…';
        return;
      }
      pending.failed = true;
      markFailed(pending, error instanceof ApiError ? error.code : 'error');
      report(error);
    }
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
    requests: new Map(), // request id -> {type, clientMsgID}

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
      this.requests.clear();
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
      this.requests.clear();
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

    onFrame(text) {
      let frame;
      try { frame = JSON.parse(text); } catch { console.warn('not JSON:', text); return; }
      this.gotFrame();
      const request = frame.ref ? this.requests.get(frame.ref) : undefined;
      if (frame.ref) this.requests.delete(frame.ref);
      switch (frame.type) {
        case 'hello': this.onHello(frame.data || {}); break;
        case 'push': this.onPush(frame.data || {}); break;
        case 'ack': if (frame.data) ingest(frame.data.message); break;
        case 'read': break; // our badge was cleared when we sent it
        case 'pong': break;
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
    },

    stopPolling() {
      this.polling = false;
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
          if (first) { first = false; resendOrphans(); }
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
      const contact = state.contacts.get(state.open.conversationID);
      if (contact && contact.unread > 0) markRead(state.open.conversationID);
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
