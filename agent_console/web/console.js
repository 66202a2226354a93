// Agent console: live queue, conversation with the customer, copilot panel.
// Every text from customers (or anyone) is inserted with textContent / text nodes, never
// innerHTML, so a message holding markup or script shows as text.
(() => {
  "use strict";

  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const ui = {
    queue: $("queue"), mine: $("mine"), waitingCount: $("waiting-count"), liveState: $("live-state"),
    notice: $("notice"), empty: $("conversation-empty"), conversation: $("conversation"),
    title: $("conversation-title"), status: $("conversation-status"), claim: $("claim"),
    transcript: $("transcript"), suggestions: $("suggestions"), reply: $("reply"),
    replyText: $("reply-text"), send: $("send"), wrapUp: $("wrap-up"), handBack: $("hand-back"),
    closeForm: $("close-form"), disposition: $("disposition"), notes: $("notes"), copilot: $("copilot"),
  };
  const REASONS = {
    customer_request: "Asked for a person", fallback: "Bot did not understand",
    retention: "Retention", complaint: "Complaint", callback: "Callback",
  };
  const STATUS = { bot: "with the bot", pending: "waiting", open: "open", resolved: "resolved" };
  const state = {
    me: null, queue: [], mine: [], current: null, conversation: null, canAct: false,
    seen: new Set(), lastChannel: null, activeForm: false, unread: new Set(), socket: null,
  };

  // ---- small DOM helpers (text only) ----
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
    return node;
  }
  const clock = (seconds) => new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : m ? `${m} min ${s} s` : `${s} s`;
  }
  function notice(text, kind = "info") {
    ui.notice.textContent = text;
    ui.notice.dataset.kind = kind;
    ui.notice.hidden = !text;
  }

  async function api(method, path, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = csrf;
      options.body = JSON.stringify(body || {});
    }
    const response = await fetch(`/console/api${path}`, options);
    const data = await response.json().catch(() => ({}));
    if (response.status === 401) { location.href = "/console/login"; }
    if (!response.ok) {
      const error = new Error(typeof data.detail === "string" ? data.detail : `Error ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // ---- queue ----
  function queueItem(item, own) {
    const since = Date.parse(item.created_at);
    const li = el("li", {
      class: `queue-item${item.high_value ? " vip" : ""}${state.current === item.conversation_id ? " current" : ""}`,
      "data-handoff": item.id, "data-conversation": item.conversation_id, "data-reason": item.reason,
    },
      el("div", { class: "row" },
        el("strong", { class: "reason", text: REASONS[item.reason] || item.reason }),
        el("span", { class: "channel", text: item.channel }),
        el("span", { class: "wait", "data-since": since, text: duration((Date.now() - since) / 1000) })),
      el("div", { class: "row small" },
        el("span", { class: "segment", text: item.segment_label || "segment unknown" }),
        item.customer_no ? el("span", { class: "muted", text: item.customer_no }) : null,
        item.priority === "high" ? el("span", { class: "badge hot", text: "high priority" }) : null,
        item.high_value ? el("span", { class: "badge vip", text: "high value" }) : null,
        item.timeout_notified ? el("span", { class: "badge", text: "told to wait" }) : null,
        state.unread.has(item.conversation_id) ? el("span", { class: "badge unread", text: "new message" }) : null),
      el("p", { class: "summary", text: item.summary }),
      el("div", { class: "actions" },
        own ? null : el("button", { type: "button", class: "claim", text: "Claim", on: { click: () => claim(item) } }),
        el("button", { type: "button", class: "secondary open", text: own ? "Open" : "Preview",
          on: { click: () => openConversation(item.conversation_id) } })));
    return li;
  }

  function renderQueue() {
    ui.queue.replaceChildren(...state.queue.map((item) => queueItem(item, false)));
    ui.mine.replaceChildren(...state.mine.map((item) => queueItem(item, true)));
    ui.waitingCount.textContent = String(state.queue.length);
    if (!state.queue.length) ui.queue.append(el("li", { class: "muted empty", text: "Nobody is waiting." }));
  }

  let queueTimer = null;
  function refreshQueueSoon() {
    clearTimeout(queueTimer);
    queueTimer = setTimeout(refreshQueue, 50);
  }
  async function refreshQueue() {
    try {
      const data = await api("GET", "/queue");
      state.me = data.me;
      state.queue = data.waiting;
      state.mine = data.mine;
      renderQueue();
    } catch (err) { ui.liveState.textContent = `Queue unavailable: ${err.message}`; }
  }

  setInterval(() => {
    for (const span of document.querySelectorAll(".wait[data-since]")) {
      span.textContent = duration((Date.now() - Number(span.dataset.since)) / 1000);
    }
  }, 1000);

  async function claim(item) {
    try {
      await api("POST", `/handoffs/${item.id}/claim`);
      notice("");
      await refreshQueue();
      await openConversation(item.conversation_id);
    } catch (err) {
      notice(err.status === 409 ? `Not yours: ${err.message}` : err.message, err.status === 409 ? "lost" : "error");
      refreshQueue();
      if (state.current === item.conversation_id) reloadHeader();
    }
  }

  // ---- conversation ----
  function lineKey(line) { return `${line.kind}|${line.time}|${line.text || line.state || line.name || ""}`; }

  function describe(line) {
    switch (line.kind) {
      case "form": return line.name ? `Form started: ${line.name}` : "Form ended";
      case "form_step": return `Form asks for: ${line.name}`;
      case "slot": return `${line.name} = ${line.value}`;
      case "handoff": return line.state === "paused" ? "Bot paused: waiting for a person" : "Bot resumed";
      case "action": return `Assistant ran ${line.name}`;
      case "session": return "New session";
      case "queue":
        if (line.state === "requested") return `Handoff requested (${REASONS[line.reason] || line.reason})`;
        if (line.state === "claimed") return `Claimed by ${line.agent || "an agent"}`;
        return `Closed by ${line.agent || "an agent"} (${(line.disposition || "").replace(/_/g, " ")})`;
      default: return "";
    }
  }

  function addLine(line) {
    const key = lineKey(line);
    if (state.seen.has(key)) return;
    state.seen.add(key);
    if (line.kind === "form") state.activeForm = Boolean(line.name);
    if (line.kind === "slot" && (!state.activeForm || line.value === null)) return;
    if (line.kind === "customer" && line.channel) state.lastChannel = line.channel;
    const channel = line.kind === "customer" ? line.channel : (line.channel || state.lastChannel);
    let li;
    if (line.kind === "customer" || line.kind === "bot" || line.kind === "agent") {
      const who = line.kind === "customer" ? "Customer" : line.kind === "bot" ? "Bot" : (line.author || "Agent");
      li = el("li", { class: `line msg-line ${line.kind}`, "data-kind": line.kind },
        el("div", { class: "meta" },
          el("span", { class: "author", text: who }),
          channel ? el("span", { class: "channel", text: channel }) : null,
          line.time ? el("time", { text: clock(line.time) }) : null,
          line.kind === "customer" && line.intent
            ? el("span", { class: "intent", text: `${line.intent} ${line.confidence != null ? Number(line.confidence).toFixed(2) : ""}`.trim() })
            : null),
        el("div", { class: "text", text: line.text || "" }));
      if (line.entities && line.entities.length) {
        li.append(el("div", { class: "entities small", text: line.entities.map((e) => `${e.entity}: ${e.value}`).join(" · ") }));
      }
      if (line.buttons && line.buttons.length) {
        li.append(el("div", { class: "buttons-shown small", text: `Buttons: ${line.buttons.join(" | ")}` }));
      }
    } else {
      const text = describe(line);
      if (!text) return;
      li = el("li", { class: `line event ${line.kind}`, "data-kind": line.kind },
        line.time ? el("time", { text: clock(line.time) }) : null, el("span", { text }));
    }
    ui.transcript.append(li);
    ui.transcript.scrollTop = ui.transcript.scrollHeight;
  }

  function renderHeader(conversation) {
    state.conversation = conversation;
    state.canAct = conversation.can_act;
    if (!ui.title.textContent || ui.title.dataset.conversation !== conversation.id) {
      ui.title.textContent = conversation.customer_id ? `Customer ${conversation.customer_id}` : conversation.id;
      ui.title.dataset.conversation = conversation.id;
    }
    ui.status.textContent = conversation.owner && conversation.handoff_status === "claimed"
      ? `${STATUS[conversation.status] || conversation.status} · ${conversation.can_act ? "yours" : conversation.owner}`
      : STATUS[conversation.status] || conversation.status;
    ui.conversation.dataset.status = conversation.status;
    ui.conversation.dataset.mine = conversation.can_act ? "yes" : "no";
    ui.claim.hidden = conversation.handoff_status !== "pending";
    ui.replyText.disabled = !conversation.can_act;
    ui.send.disabled = !conversation.can_act;
    ui.wrapUp.hidden = !conversation.can_act;
    document.querySelectorAll(".outcome, .present[data-offer]").forEach((b) => { b.disabled = !conversation.can_act; });
  }

  async function reloadHeader() {
    if (!state.current) return;
    try {
      const data = await api("GET", `/conversations/${encodeURIComponent(state.current)}`);
      renderHeader(data.conversation);
      for (const line of data.lines) addLine(line);
    } catch (err) {
      notice(err.message, err.status === 403 ? "lost" : "error");
      if (err.status === 403) closeView();
    }
  }

  function closeView() {
    state.current = null;
    ui.conversation.hidden = true;
    ui.empty.hidden = false;
    ui.copilot.replaceChildren(el("p", { class: "muted", text: "Customer details appear here." }));
    watch();
    renderQueue();
  }

  async function openConversation(conversationId) {
    state.current = conversationId;
    state.seen = new Set();
    state.lastChannel = null;
    state.activeForm = false;
    state.unread.delete(conversationId);
    ui.transcript.replaceChildren();
    ui.suggestions.replaceChildren();
    ui.copilot.replaceChildren(el("p", { class: "muted", text: "Loading…" }));
    ui.empty.hidden = true;
    ui.conversation.hidden = false;
    ui.conversation.dataset.conversation = conversationId;
    watch();
    renderQueue();
    try {
      const data = await api("GET", `/conversations/${encodeURIComponent(conversationId)}`);
      if (state.current !== conversationId) return;
      renderHeader(data.conversation);
      for (const line of data.lines) addLine(line);
      if (data.conversation.customer_id || data.conversation.id) loadCopilot();
      loadSuggestions();
    } catch (err) {
      notice(err.message, "error");
      closeView();
    }
  }

  // ---- typing and replies ----
  let typingOn = false, typingTimer = null;
  function typing(on) {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN || !state.canAct) return;
    if (on !== typingOn) {
      typingOn = on;
      state.socket.send(JSON.stringify({ type: "typing", on }));
    }
  }
  ui.replyText.addEventListener("input", () => {
    typing(ui.replyText.value.trim().length > 0);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => typing(false), 4000);
  });
  ui.replyText.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); ui.reply.requestSubmit(); }
  });
  ui.reply.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = ui.replyText.value.trim();
    if (!text || !state.current) return;
    ui.send.disabled = true;
    try {
      await api("POST", `/conversations/${encodeURIComponent(state.current)}/messages`, { text });
      ui.replyText.value = "";
      typing(false);
    } catch (err) { notice(err.message, "error"); }
    finally { ui.send.disabled = !state.canAct; }
  });
  ui.claim.addEventListener("click", () => {
    const item = state.queue.find((q) => q.conversation_id === state.current);
    if (item) claim(item);
    else reloadHeader();
  });
  ui.handBack.addEventListener("click", async () => {
    try {
      const result = await api("POST", `/conversations/${encodeURIComponent(state.current)}/hand-back`, { notes: ui.notes.value });
      notice(result.customer_told ? "Handed back to the bot." : "Handed back to the bot (it could not greet the customer).");
      await afterEnd();
    } catch (err) { notice(err.message, "error"); }
  });
  ui.closeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/conversations/${encodeURIComponent(state.current)}/close`,
        { disposition: ui.disposition.value, notes: ui.notes.value });
      notice("Conversation closed.");
      await afterEnd();
    } catch (err) { notice(err.message, "error"); }
  });
  async function afterEnd() {
    ui.notes.value = "";
    await refreshQueue();
    await reloadHeader();
    watch();
  }

  // ---- copilot ----
  function section(title, ...children) {
    return el("section", { class: "copilot-section" }, el("h3", { text: title }), ...children);
  }
  function reasonsList(reasons) {
    return el("ul", { class: "reasons" }, ...(reasons || []).map((r) => el("li", { text: r.text })));
  }
  function table(headers, rows) {
    return el("table", { class: "small" },
      el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { text: h })))),
      el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", { text: c ?? "" }))))));
  }

  function offerCard(offer) {
    const seen = offer.seen;
    const here = Boolean(seen && seen.conversation_id === state.current);
    return el("li", { class: "offer", "data-offer": offer.code },
      el("div", { class: "row" }, el("strong", { text: offer.name }),
        el("span", { class: "badge", text: offer.context === "retention" ? "retention" : "next best" })),
      el("div", { class: "small" }, `Expected value ${offer.expected_value} · propensity ${(offer.propensity * 100).toFixed(1)} %`),
      reasonsList(offer.reasons),
      seen ? el("p", { class: "seen small", text:
        `Already seen: ${seen.presented_by} in ${seen.channel} on ${seen.presented_at.slice(0, 10)}${seen.outcome ? ` (${seen.outcome})` : ""}` }) : null,
      here
        ? el("button", { type: "button", class: "present", disabled: true, text: "Presented in this conversation" })
        : el("button", { type: "button", class: "present", disabled: !state.canAct,
          "data-offer": offer.code, text: "Present to customer", on: { click: () => present(offer) } }));
  }

  function awaitingCard(item) {
    const buttons = ["accepted", "declined", "ignored"].map((outcome) =>
      el("button", { type: "button", class: `outcome ${outcome}`, disabled: !state.canAct,
        text: outcome[0].toUpperCase() + outcome.slice(1),
        on: { click: () => recordOutcome(item.presentation_id, outcome) } }));
    return el("li", { class: "awaiting", "data-presentation": item.presentation_id },
      el("span", { text: `${item.offer_code} presented (${item.presented_by}) — outcome?` }),
      el("div", { class: "actions" }, ...buttons));
  }

  function renderCopilot(data) {
    if (data.anonymous) {
      ui.copilot.replaceChildren(el("p", { class: "muted", text: "Anonymous chat: the customer is not signed in." }));
      return;
    }
    const p = data.profile, o = data.offers;
    ui.title.textContent = `${p.full_name} (${p.customer_no})`;
    const churn = p.churn;
    ui.copilot.replaceChildren(
      section("Customer 360",
        el("p", { class: "name", text: `${p.full_name} · ${p.customer_no}` }),
        el("p", { class: "small", text: `${p.age} years · customer for ${p.tenure_years} years · ${p.city} · phone ${p.phone}` }),
        el("p", {}, el("strong", { text: "Segment: " }), p.segment.label), reasonsList(p.segment.reasons),
        el("p", {}, el("strong", { text: "Risk appetite: " }), p.risk_appetite.label), reasonsList(p.risk_appetite.reasons)),
      section("Churn risk",
        el("p", { class: `churn ${churn.level}`, text: `${churn.level} (${(churn.score * 100).toFixed(0)} %)` }),
        el("ul", { class: "reasons" }, ...churn.factors.map((f) => el("li", { text: f.text })))),
      section("Holdings", table(["Product", "Number", "Balance", "Status"],
        p.accounts.map((a) => [a.product_name || a.kind, `****${a.number_last4}`, `${a.balance} ${a.currency}`, a.status]))),
      section("Cards", table(["Card", "Status", "Expires"], p.cards.map((c) => [`${c.kind} ****${c.last4}`, c.status, c.expires_on]))),
      section("Recent transactions", table(["Date", "Description", "Amount", "Status"],
        p.transactions.map((t) => [t.posted_at.slice(0, 10), t.description, `${t.amount} ${t.currency}`, t.status]))),
      section("Open complaints", p.open_complaints.length
        ? el("ul", {}, ...p.open_complaints.map((c) => el("li", { text: `${c.reference} · ${c.category} · due ${c.sla_due}: ${c.description}` })))
        : el("p", { class: "muted", text: "None." })),
      section("Opportunities", p.opportunities.length
        ? el("ul", {}, ...p.opportunities.map((x) => el("li", { text: `${x.reason.text} (${x.status})` })))
        : el("p", { class: "muted", text: "None." })),
      section("Offers",
        o.awaiting_outcome.length ? el("ul", { class: "awaiting-list" }, ...o.awaiting_outcome.map(awaitingCard)) : null,
        o.offers.length ? el("ul", { class: "offers" }, ...o.offers.map(offerCard))
          : el("p", { class: "muted", text: "No offer can be presented now." }),
        o.held_back.length ? el("ul", { class: "held-back small" }, ...o.held_back.map((h) => el("li", { text: `${h.code}: ${h.text}` }))) : null,
        o.contact_policy ? el("p", { class: "small muted", text:
          `Contact policy: ${o.contact_policy.presented_last_7_days} of ${o.contact_policy.weekly_limit} offers this week` }) : null));
  }

  async function loadCopilot() {
    const conversationId = state.current;
    try {
      const data = await api("GET", `/conversations/${encodeURIComponent(conversationId)}/customer`);
      if (state.current === conversationId) renderCopilot(data);
    } catch (err) {
      if (state.current === conversationId) ui.copilot.replaceChildren(el("p", { class: "error", text: err.message }));
    }
  }

  async function present(offer) {
    try {
      await api("POST", `/conversations/${encodeURIComponent(state.current)}/offers/${encodeURIComponent(offer.code)}/present`);
      notice(`${offer.name} presented to the customer.`);
    } catch (err) { notice(err.message, "error"); }
    loadCopilot();
  }

  async function recordOutcome(presentationId, outcome) {
    try {
      await api("POST", `/presentations/${presentationId}/outcome`, { outcome });
      notice(`Outcome recorded: ${outcome}.`);
    } catch (err) { notice(err.message, "error"); }
    loadCopilot();
  }

  let suggestionTimer = null;
  function loadSuggestionsSoon() { clearTimeout(suggestionTimer); suggestionTimer = setTimeout(loadSuggestions, 150); }
  async function loadSuggestions() {
    const conversationId = state.current;
    if (!conversationId) return;
    try {
      const data = await api("GET", `/conversations/${encodeURIComponent(conversationId)}/suggestions`);
      if (state.current !== conversationId) return;
      const chips = data.suggestions.map((s) => el("button", {
        type: "button", class: "suggestion", title: s.response, text: s.text,
        on: { click: () => { ui.replyText.value = s.text; ui.replyText.focus(); typing(true); } },
      }));
      const about = data.message && data.message.intent
        ? el("span", { class: "small muted", text: `Suggested for “${data.message.intent}”:` }) : null;
      ui.suggestions.replaceChildren(...(chips.length ? [about, ...chips] : []));
    } catch (err) { ui.suggestions.replaceChildren(); }
  }

  // ---- live socket ----
  function watch() {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify({ type: "watch", conversation_id: state.current }));
    }
  }

  function onLive(data) {
    if (data.kind) {  // a line of a conversation
      if (data.conversation_id !== state.current) return;
      addLine(data);
      if (data.kind === "customer") loadSuggestionsSoon();
      if (data.kind === "agent" && data.buttons && data.buttons.length) loadCopilot();
      if (data.kind === "queue") reloadHeader();
      return;
    }
    switch (data.type) {
      case "ready":
        document.body.dataset.live = "on";
        ui.liveState.textContent = "Live";
        watch();
        refreshQueue();
        break;
      case "watching":
        state.canAct = data.can_act;
        break;
      case "customer.message":
        if (data.conversation_id !== state.current) { state.unread.add(data.conversation_id); renderQueue(); }
        break;
      case "handoff.claimed":
        if (data.conversation_id === state.current && state.me && data.agent_id !== state.me.id) {
          notice(`${data.agent} claimed this conversation.`, "lost");
          reloadHeader();
        }
        refreshQueueSoon();
        break;
      case "error":
        notice(data.detail, "error");
        break;
      default:
        if (String(data.type || "").startsWith("handoff.")) refreshQueueSoon();
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/console/ws`);
    state.socket = socket;
    socket.addEventListener("message", (event) => {
      try { onLive(JSON.parse(event.data)); } catch (err) { console.error(err); }
    });
    socket.addEventListener("close", () => {
      if (state.socket !== socket) return;
      document.body.dataset.live = "off";
      ui.liveState.textContent = "Reconnecting…";
      setTimeout(connect, 2000);
    });
  }

  refreshQueue();
  connect();
})();
