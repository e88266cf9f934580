/* The sandbox page: plays the Slack client for whichever sandbox person is picked.
 *
 * It polls GET /sandbox/state for what the local Slack holds (the channel, this person's
 * ephemerals, modals and App Home, refused calls) and sends what the person does to the
 * sandbox's JSON API, which turns it into the signed request Slack would send planbot.
 */
(function () {
  "use strict";
  const BK = window.BlockKit;
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 600;
  const REQUIRED = "Please complete this required field.";
  const COMMANDS = [
    ["status", "where the plan stands, RAG-coloured"], ["overdue", "what is late, who owns it, why"],
    ["mine", "your actions"], ["due 30", "due in the next 30 days"], ["show 3.1", "one action in full"],
    ["summary", "preview the monthly summary"], ["help", "what it can do"],
  ];

  const params = new URLSearchParams(location.search);
  let state = null;
  let me = params.get("as") || "";
  let view = params.get("view") === "home" ? "home" : "channel";
  let openThread = null;
  let shownModal = "";
  let modalErrors = {};
  let busy = false;
  const localNotices = [];

  async function api(path, body) {
    const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ user: me }, body)) });
    return response.json();
  }

  function ctx(extra) {
    const people = {};
    const channels = {};
    if (state) {
      for (const p of state.people) people[p.id] = p.real_name;
      people[state.bot.user_id] = state.bot.name;
      channels[state.channel.id] = state.channel.name;
    }
    return Object.assign({ people, channels, tz: "Europe/London", confirm: confirmDialog }, extra);
  }

  function timeOf(ts) {
    return new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "numeric", minute: "2-digit",
      hour12: true }).format(new Date(parseFloat(ts) * 1000)).toUpperCase();
  }

  // Confirm dialogs, as Slack shows a button's `confirm` object before it sends the click.
  function confirmDialog(confirm) {
    return new Promise((resolve) => {
      $("confirm-title").innerHTML = BK.textHtml(confirm.title, ctx());
      $("confirm-text").innerHTML = BK.textHtml(confirm.text, ctx());
      const yes = $("confirm-yes"), no = $("confirm-no");
      yes.innerHTML = BK.textHtml(confirm.confirm || { type: "plain_text", text: "Yes" }, ctx());
      no.innerHTML = BK.textHtml(confirm.deny || { type: "plain_text", text: "Cancel" }, ctx());
      yes.className = `bk-button confirm-yes ${confirm.style === "danger" ? "danger" : "primary"}`;
      $("confirm-layer").hidden = false;
      const done = (answer) => { $("confirm-layer").hidden = true; yes.onclick = no.onclick = null; resolve(answer); };
      yes.onclick = () => done(true);
      no.onclick = () => done(false);
    });
  }

  async function act(surface, elem, blockId, chosen, values) {
    await api("/sandbox/click", { surface, block_id: blockId, action_id: elem.action_id, chosen, values: values || {} });
    poll(true);
  }

  // A message as Slack draws it: avatar, name, time, blocks (or text), and its thread.
  function messageNode(item, inThread) {
    const node = document.createElement("div");
    node.className = `message ${item.kind}`;
    node.dataset.ts = item.ts;
    if (item.kind === "refusal") {
      node.innerHTML = `<div class="avatar system">!</div><div class="message-body"><div class="message-meta">
        <span class="author">Slack</span><span class="time">${timeOf(item.ts)}</span></div>
        <div class="refusal-text"><b>Slack refused ${BK.esc(item.method)}: ${BK.esc(item.error)}</b>
        ${item.details.length ? `<ul>${item.details.map((d) => `<li>${BK.esc(d)}</li>`).join("")}</ul>` : ""}
        <div class="refusal-note">Real Slack answers this error and shows nothing; the sandbox shows it so you see it.</div></div></div>`;
      return node;
    }
    if (item.kind === "notice") {
      node.innerHTML = `<div class="avatar system">!</div><div class="message-body"><div class="message-meta">
        <span class="author">Slackbot</span><span class="time">${timeOf(item.ts)}</span>
        <span class="only-you">Only visible to you</span></div><div class="notice-text">${BK.esc(item.text)}</div></div>`;
      return node;
    }
    const body = document.createElement("div");
    body.className = "message-body";
    const meta = `<div class="message-meta"><span class="author">planbot</span><span class="app-badge">APP</span>
      <span class="time">${timeOf(item.ts)}</span>${item.kind === "ephemeral" ? '<span class="only-you">👁 Only visible to you</span>' : ""}</div>`;
    body.innerHTML = meta;
    const surface = { type: "message", ts: item.ts };
    const context = ctx({ onAction: (elem, blockId, chosen) => act(surface, elem, blockId, chosen) });
    if (item.blocks && item.blocks.length) body.appendChild(BK.render(item.blocks, context));
    else body.appendChild(Object.assign(document.createElement("div"), { className: "bk-text-block", innerHTML: BK.mrkdwn(item.text, context) }));
    const replies = (state.threads[item.ts] || []).length;
    if (replies && !inThread) {
      const link = document.createElement("button");
      link.type = "button";
      link.className = "replies";
      link.textContent = `${replies} ${replies === 1 ? "reply" : "replies"}`;
      link.onclick = () => { openThread = item.ts; draw(); };
      body.appendChild(link);
    }
    node.innerHTML = '<div class="avatar app">p</div>';
    node.appendChild(body);
    return node;
  }

  // Messages that did not change keep their nodes (and whatever the person was doing in them).
  let drawn = new Map();
  function drawTimeline() {
    const timeline = $("timeline");
    const atBottom = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 40;
    const next = new Map();
    const items = state.timeline.concat(localNotices).sort((a, b) => parseFloat(a.ts) - parseFloat(b.ts));
    const nodes = items.map((item) => {
      const id = `${item.kind}:${item.ts}`;
      const key = JSON.stringify([item, (state.threads[item.ts] || []).length]);
      const old = drawn.get(id);
      const node = old && old.key === key ? old.node : messageNode(item, false);
      next.set(id, { key, node });
      return node;
    });
    drawn = next;
    timeline.replaceChildren(...nodes);
    if (!items.length) {
      timeline.innerHTML = '<div class="empty">This is the very beginning of <b>#protection-plan</b>. Try <code>/plan status</code>.</div>';
    }
    if (atBottom || busy) timeline.scrollTop = timeline.scrollHeight;
  }

  function drawThread() {
    const pane = $("thread-view");
    const parent = openThread && state.timeline.find((m) => m.ts === openThread);
    pane.hidden = !parent;
    if (!parent) return;
    $("thread-channel").textContent = `#${state.channel.name}`;
    const replies = state.threads[openThread] || [];
    $("thread").replaceChildren(messageNode(parent, true),
      Object.assign(document.createElement("div"), { className: "thread-count", textContent: `${replies.length} replies` }),
      ...replies.map((m) => messageNode(Object.assign({ kind: "message" }, m), true)));
  }

  function drawHome() {
    const home = $("home");
    if (!state.home) {
      home.innerHTML = '<div class="empty">Opening App Home…</div>';
      return;
    }
    const surface = { type: "view", view_id: state.home.id };
    const context = ctx({ onAction: (elem, blockId, chosen) => act(surface, elem, blockId, chosen, BK.stateOf(home)) });
    home.replaceChildren(BK.render(state.home.blocks, context));
  }

  function drawNotices(where, into) {
    for (const n of state.notices.filter((x) => x.where === where)) {
      into.prepend(Object.assign(document.createElement("div"), { className: "notice-text banner", textContent: n.text }));
    }
  }

  function drawModal() {
    const layer = $("modal-layer");
    const top = state.modals[state.modals.length - 1];
    if (!top) {
      layer.hidden = true;
      shownModal = "";
      return;
    }
    const key = `${top.id}:${top.hash}`;
    if (key === shownModal && !layer.hidden) return; // keep what the person has typed
    shownModal = key;
    modalErrors = {};
    layer.hidden = false;
    $("modal").dataset.viewId = top.id;
    $("modal").dataset.callbackId = top.callback_id || "";
    $("modal-title").innerHTML = BK.textHtml(top.title, ctx());
    $("modal-failed").hidden = true;
    const body = $("modal-body");
    const surface = { type: "view", view_id: top.id };
    const context = ctx({ inModal: true,
      onAction: (elem, blockId, chosen) => act(surface, elem, blockId, chosen, BK.fillOptions(BK.stateOf(body), top.blocks)) });
    body.replaceChildren(BK.render(top.blocks, context));
    drawNotices("modal", body);
    $("modal-submit").hidden = !top.submit;
    if (top.submit) $("modal-submit").innerHTML = BK.textHtml(top.submit, ctx());
    $("modal-close").innerHTML = BK.textHtml(top.close || { type: "plain_text", text: "Cancel" }, ctx());
  }

  function showErrors(errors) {
    for (const field of $("modal-body").querySelectorAll(".bk-input")) {
      const message = errors[field.dataset.blockId] || "";
      field.classList.toggle("has-error", Boolean(message));
      field.querySelector(".bk-input-error").textContent = message;
    }
  }

  // Slack checks required inputs in the client, before anything is sent to the app.
  function missingRequired(values) {
    const missing = {};
    for (const field of $("modal-body").querySelectorAll(".bk-input")) {
      if (field.dataset.optional) continue;
      const held = Object.values(values[field.dataset.blockId] || {})[0] || {};
      const filled = held.value || held.selected_date || held.selected_time || held.selected_option
        || (held.selected_options && held.selected_options.length);
      if (!filled) missing[field.dataset.blockId] = REQUIRED;
    }
    return missing;
  }

  async function submitModal() {
    const top = state.modals[state.modals.length - 1];
    if (!top) return;
    const values = BK.fillOptions(BK.stateOf($("modal-body")), top.blocks);
    const missing = missingRequired(values);
    if (Object.keys(missing).length) {
      showErrors(missing);
      return;
    }
    $("modal-submit").disabled = true;
    try {
      const answer = await api("/sandbox/submit", { view_id: top.id, values });
      if (answer.errors) showErrors(answer.errors);
      else if (answer.failed) {
        $("modal-failed").textContent = `${answer.failed} (${answer.error})`;
        $("modal-failed").hidden = false;
      } else showErrors({});
    } finally {
      $("modal-submit").disabled = false;
    }
    poll(true);
  }

  async function closeModal() {
    const top = state.modals[state.modals.length - 1];
    if (!top) return;
    await api("/sandbox/close", { view_id: top.id, values: BK.stateOf($("modal-body")) });
    poll(true);
  }

  function drawPeople() {
    const select = $("person");
    if (select.options.length !== state.people.length) {
      select.replaceChildren(...state.people.map((p) =>
        Object.assign(document.createElement("option"), { value: p.id, textContent: `${p.real_name} (${p.title})` })));
    }
    select.value = me;
    const person = state.people.find((p) => p.id === me);
    $("who").innerHTML = `<span class="presence"></span>${BK.esc(person.real_name)}<div class="who-title">${BK.esc(person.title)}</div>`;
  }

  function draw() {
    if (!state) return;
    drawPeople();
    $("channel-view").hidden = view !== "channel";
    $("home-view").hidden = view !== "home";
    $("open-channel").classList.toggle("active", view === "channel");
    $("open-home").classList.toggle("active", view === "home");
    if (view === "channel") {
      drawTimeline();
      drawNotices("channel", $("timeline"));
      drawThread();
    } else {
      $("thread-view").hidden = true;
      drawHome();
      drawNotices("home", $("home"));
    }
    drawModal();
  }

  async function poll(force) {
    const since = force || !state ? "" : state.revision;
    const response = await fetch(`/sandbox/state?user=${encodeURIComponent(me)}&since=${encodeURIComponent(since)}`);
    const answer = await response.json();
    if (answer.unchanged) return;
    state = answer;
    if (!me) me = state.me;
    draw();
  }

  async function send(text) {
    const trimmed = text.trim();
    if (!trimmed) return;
    const match = /^\/plan(?:\s+([\s\S]*))?$/.exec(trimmed);
    if (!match) {
      // What Slackbot says to an unknown command; ordinary messages are not played by the sandbox.
      localNotices.push({ kind: "notice", ts: String(Date.now() / 1000), text: trimmed.startsWith("/")
        ? `${trimmed.split(/\s/)[0]} is not a valid command. In the sandbox, try /plan.`
        : "In the sandbox only /plan commands reach planbot: try /plan status." });
      draw();
      return;
    }
    busy = true;
    try {
      await api("/sandbox/command", { text: match[1] || "" });
      await poll(true);
    } finally {
      busy = false;
    }
  }

  function hint() {
    const value = $("composer").value;
    const box = $("command-hint");
    if (!value.startsWith("/") || value.includes(" ", 6)) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.innerHTML = COMMANDS.map(([c, what]) => `<div class="hint-row" data-command="/plan ${BK.esc(c)}"><b>/plan ${BK.esc(c)}</b> <span>${BK.esc(what)}</span></div>`).join("");
  }

  function start() {
    $("composer-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const text = $("composer").value;
      $("composer").value = "";
      $("command-hint").hidden = true;
      send(text);
    });
    $("composer").addEventListener("input", hint);
    $("command-hint").addEventListener("click", (event) => {
      const row = event.target.closest(".hint-row");
      if (row) { $("composer").value = row.dataset.command; $("composer").focus(); hint(); }
    });
    $("person").addEventListener("change", () => {
      me = $("person").value;
      drawn = new Map();
      localNotices.length = 0;
      openThread = null;
      shownModal = "";
      if (view === "home") api("/sandbox/home", {});
      poll(true);
    });
    $("open-channel").addEventListener("click", (event) => { event.preventDefault(); view = "channel"; draw(); });
    $("open-home").addEventListener("click", async (event) => {
      event.preventDefault();
      view = "home";
      draw();
      await api("/sandbox/home", {});
      poll(true);
    });
    $("close-thread").addEventListener("click", () => { openThread = null; draw(); });
    $("modal-submit").addEventListener("click", submitModal);
    $("modal-close").addEventListener("click", closeModal);
    $("modal-x").addEventListener("click", closeModal);
    poll(true).then(() => {
      if (view === "home") api("/sandbox/home", {}).then(() => poll(true));
    });
    setInterval(() => poll(false).catch(() => {}), POLL_MS);
  }

  start();
})();
