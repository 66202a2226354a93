// Supervisor monitor: every waiting and open conversation, read along, whisper, take over,
// reassign. Every text from customers (or anyone) is inserted with textContent, never innerHTML.
// Imports only the leaf modules (api, dom): the workspace's panes are not on this page.

import { api } from "./api.js";
import { clock, duration, el } from "./dom.js";

const $ = (id) => document.getElementById(id);
const ui = {
  rows: $("monitor-rows"), count: $("monitor-count"), liveState: $("live-state"), notice: $("notice"),
  empty: $("monitor-empty"), conversation: $("monitor-conversation"), title: $("monitor-title"),
  status: $("monitor-status"), transcript: $("monitor-transcript"), whisperForm: $("whisper-form"),
  whisperText: $("whisper-text"), takeOver: $("take-over"), agent: $("reassign-agent"),
  reassignNote: $("reassign-note"), reassign: $("reassign"), notes: $("monitor-notes"),
};
const state = { me: null, items: [], agents: [], current: null, seen: new Set(), notes: new Set(), socket: null };
const REASONS = {
  customer_request: "Asked for a person", fallback: "Bot did not understand",
  retention: "Retention", complaint: "Complaint", callback: "Callback",
};

function notice(text, kind = "info") {
  ui.notice.textContent = text;
  ui.notice.dataset.kind = kind;
  ui.notice.hidden = !text;
}
const current = () => state.items.find((i) => i.conversation_id === state.current);

// ---- the list ----
function row(item) {
  const since = Date.parse(item.created_at), claimed = item.claimed_at ? Date.parse(item.claimed_at) : null;
  const waited = claimed ? duration((claimed - since) / 1000) : null;
  return el("tr", { class: `monitor-row ${item.status}${item.conversation_id === state.current ? " current" : ""}`,
    "data-conversation": item.conversation_id, "data-status": item.status },
    el("td", { text: item.customer_no || item.conversation_id }),
    el("td", { text: REASONS[item.reason] || item.reason }),
    el("td", { text: item.channel }),
    el("td", { class: "agent", text: item.agent || "waiting" }),
    el("td", waited ? { text: waited } : { class: "tick", "data-since": since, text: duration((Date.now() - since) / 1000) }),
    el("td", claimed ? { class: "tick", "data-since": claimed, text: duration((Date.now() - claimed) / 1000) } : { text: "–" }),
    el("td", {}, item.sla_state
      ? el("span", { class: `badge sla ${item.sla_state}`, title: item.sla_due_at ? `due ${item.sla_due_at}` : null, text: item.sla_state })
      : el("span", { class: "muted", text: "–" })),
    el("td", {}, el("button", { type: "button", class: "secondary read", text: "Read along",
      on: { click: () => open(item.conversation_id) } })));
}

function render() {
  ui.rows.replaceChildren(...state.items.map(row));
  if (!state.items.length) ui.rows.append(el("tr", {}, el("td", { colspan: 8, class: "muted", text: "No open conversations." })));
  ui.count.textContent = String(state.items.length);
  const item = current();
  ui.agent.replaceChildren(...state.agents.filter((a) => !item || a.id !== item.agent_id)
    .map((a) => el("option", { value: a.id, text: `${a.name} (${a.role}, ${a.open}${a.capacity ? ` of ${a.capacity}` : ""} open)` })));
  if (state.current) {
    ui.status.textContent = item ? (item.agent ? `with ${item.agent}` : "waiting") : "ended";
    ui.whisperForm.hidden = !(item && item.agent_id && item.agent_id !== state.me?.id);
    ui.takeOver.disabled = !item || item.agent_id === state.me?.id;
  }
}

let refreshTimer = null;
function refreshSoon() { clearTimeout(refreshTimer); refreshTimer = setTimeout(refresh, 100); }
async function refresh() {
  try {
    const data = await api("GET", "/monitor");
    state.me = data.me; state.items = data.conversations; state.agents = data.agents;
    render();
  } catch (err) { ui.liveState.textContent = `Monitor unavailable: ${err.message}`; }
}

// ---- reading along (read only) ----
const EVENTS = {
  requested: (l) => `Handoff requested (${REASONS[l.reason] || l.reason})`,
  claimed: (l) => `Claimed by ${l.agent || "an agent"}`,
  closed: (l) => `Closed by ${l.agent || "an agent"} (${(l.disposition || "").replace(/_/g, " ")})`,
  transferred: (l) => `${l.agent || "An agent"} transferred it to ${l.to_agent || l.team_name || l.team}${l.note ? `: ${l.note}` : ""}`,
};
function addLine(line) {
  const key = `${line.kind}|${line.time}|${line.text || line.state || line.id || ""}`;
  if (state.seen.has(key)) return;
  state.seen.add(key);
  if (line.kind === "note") { addNote(line); return; }
  let li = null;
  if (line.kind === "customer" || line.kind === "bot" || line.kind === "agent") {
    const who = line.kind === "customer" ? "Customer" : line.kind === "bot" ? "Bot" : (line.author || "Agent");
    li = el("li", { class: `line msg-line ${line.kind}`, "data-kind": line.kind },
      el("div", { class: "meta" }, el("span", { class: "author", text: who }),
        line.channel ? el("span", { class: "channel", text: line.channel }) : null,
        line.time ? el("time", { text: clock(line.time) }) : null,
        line.intent ? el("span", { class: "intent", text: line.intent }) : null),
      el("div", { class: "text", text: line.text || "" }));
  } else if (line.kind === "queue" && EVENTS[line.state]) {
    li = el("li", { class: "line event queue", "data-kind": "queue" },
      line.time ? el("time", { text: clock(line.time) }) : null, el("span", { text: EVENTS[line.state](line) }));
  }
  if (!li) return;
  ui.transcript.append(li);
  ui.transcript.scrollTop = ui.transcript.scrollHeight;
}

function addNote(note) {
  if (state.notes.has(note.id) || note.conversation_id !== state.current) return;
  state.notes.add(note.id);
  const who = note.kind === "whisper" ? `Whisper from ${note.author} to ${note.to}` : `Note by ${note.author}`;
  ui.notes.append(el("li", { class: `note ${note.kind}`, "data-kind": note.kind },
    el("div", { class: "meta small" }, el("strong", { text: who }), el("time", { text: clock(note.time) })),
    el("div", { class: "text", text: note.text })));
}

function watch() {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify({ type: "watch", conversation_id: state.current }));
  }
}

async function open(conversationId) {
  state.current = conversationId;
  state.seen = new Set(); state.notes = new Set();
  ui.transcript.replaceChildren(); ui.notes.replaceChildren();
  ui.empty.hidden = true; ui.conversation.hidden = false;
  ui.conversation.dataset.conversation = conversationId;
  const item = current();
  ui.title.textContent = item && item.customer_no ? `${item.customer_no} · ${conversationId}` : conversationId;
  notice("");
  render();
  watch();
  try {
    const [data, notes] = await Promise.all([
      api("GET", `/conversations/${encodeURIComponent(conversationId)}`),
      api("GET", `/conversations/${encodeURIComponent(conversationId)}/notes`),
    ]);
    if (state.current !== conversationId) return;
    data.lines.forEach(addLine);
    notes.notes.forEach(addNote);
  } catch (err) { notice(err.message, "error"); }
}

// ---- acting as the supervisor ----
function bind() {
  ui.whisperForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = ui.whisperText.value.trim();
    if (!text || !state.current) return;
    try {
      addNote(await api("POST", `/conversations/${encodeURIComponent(state.current)}/whisper`, { text }));
      ui.whisperText.value = "";
      notice("Whisper sent to the agent.");
    } catch (err) { notice(err.message, "error"); }
  });
  ui.takeOver.addEventListener("click", async () => {
    const item = current();
    if (!item) return;
    try {
      await api("POST", `/monitor/conversations/${encodeURIComponent(item.conversation_id)}/take-over`,
        { expected_status: item.status, expected_agent_id: item.agent_id });
      notice("It is yours now: open it from My conversations in the Workspace.");
    } catch (err) { notice(err.message, err.status === 409 ? "lost" : "error"); }
    refresh();
  });
  ui.reassign.addEventListener("click", async () => {
    const item = current();
    if (!item || !ui.agent.value) return;
    try {
      const done = await api("POST", `/monitor/conversations/${encodeURIComponent(item.conversation_id)}/reassign`,
        { agent_id: Number(ui.agent.value), expected_status: item.status, expected_agent_id: item.agent_id,
          note: ui.reassignNote.value });
      ui.reassignNote.value = "";
      notice(`Reassigned to ${done.agent}.`);
    } catch (err) { notice(err.message, err.status === 409 ? "lost" : "error"); }
    refresh();
  });
  setInterval(() => {
    for (const cell of document.querySelectorAll(".tick[data-since]")) {
      cell.textContent = duration((Date.now() - Number(cell.dataset.since)) / 1000);
    }
  }, 1000);
}

// ---- live ----
function onLive(data) {
  if (data.type === "line") { if (data.conversation_id === state.current) addLine(data.line); return; }
  if (data.type === "ready") { document.body.dataset.live = "on"; ui.liveState.textContent = "Live"; watch(); refresh(); return; }
  if (data.type === "error") { notice(data.detail, "error"); return; }
  const type = String(data.type || "");
  if (type.startsWith("handoff.") || type.startsWith("sla.") || type === "customer.message" || type === "conversation.moved") refreshSoon();
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/console/ws`);
  state.socket = socket;
  socket.addEventListener("message", (event) => { try { onLive(JSON.parse(event.data)); } catch (err) { console.error(err); } });
  socket.addEventListener("close", () => {
    if (state.socket !== socket) return;
    document.body.dataset.live = "off";
    ui.liveState.textContent = "Reconnecting…";
    setTimeout(connect, 2000);
  });
}

bind();
refresh();
connect();
