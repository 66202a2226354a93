// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.

import { api } from "./api.js";
import { duration, el } from "./dom.js";
import { openConversation, reloadHeader } from "./conversation.js";
import { slaTimer } from "./sla.js";
import { REASONS, notice, state, ui } from "./state.js";
import { transferNote } from "./transfer.js";

// ---- queue ----
export function queueItem(item, own) {
  const since = Date.parse(item.created_at);
  const li = el("li", {
    class: `queue-item${item.high_value ? " vip" : ""}${state.current === item.conversation_id ? " current" : ""}`,
    "data-handoff": item.id, "data-conversation": item.conversation_id, "data-reason": item.reason,
  },
    el("div", { class: "row" },
      el("strong", { class: "reason", text: REASONS[item.reason] || item.reason }),
      item.team ? el("span", { class: `badge team${item.my_team ? " my-team" : ""}`, "data-team": item.team, text: item.team_name || item.team }) : null,
      el("span", { class: "channel", text: item.channel }),
      el("span", { class: "wait", "data-since": since, text: duration((Date.now() - since) / 1000) }),
      slaTimer(item.sla)),
    el("div", { class: "row small" },
      el("span", { class: "segment", text: item.segment_label || "segment unknown" }),
      item.customer_no ? el("span", { class: "muted", text: item.customer_no }) : null,
      item.priority === "high" ? el("span", { class: "badge hot", text: "high priority" }) : null,
      item.high_value ? el("span", { class: "badge vip", text: "high value" }) : null,
      item.timeout_notified && !item.transfer ? el("span", { class: "badge", text: "told to wait" }) : null,
      state.unread.has(item.conversation_id) ? el("span", { class: "badge unread", text: "new message" }) : null),
    el("p", { class: "summary", text: item.summary }),
    item.transfer ? transferNote(item.transfer) : null,
    el("div", { class: "actions" },
      own ? null : el("button", { type: "button", class: "claim", text: "Claim", on: { click: () => claim(item) } }),
      el("button", { type: "button", class: "secondary open", text: own ? "Open" : "Preview",
        on: { click: () => openConversation(item.conversation_id) } })));
  return li;
}

export function renderQueue() {
  ui.queue.replaceChildren(...state.queue.map((item) => queueItem(item, false)));
  ui.mine.replaceChildren(...state.mine.map((item) => queueItem(item, true)));
  ui.waitingCount.textContent = String(state.queue.length);
  const load = document.getElementById("my-load");  // teams: held / capacity
  if (load && state.me && state.me.capacity) {
    load.textContent = `${state.mine.length}/${state.me.capacity}`;
    load.dataset.full = state.mine.length >= state.me.capacity ? "yes" : "no";
  }
  if (!state.queue.length) ui.queue.append(el("li", { class: "muted empty", text: "Nobody is waiting." }));
}

let queueTimer = null;
export function refreshQueueSoon() {
  clearTimeout(queueTimer);
  queueTimer = setTimeout(refreshQueue, 50);
}
export async function refreshQueue() {
  try {
    const data = await api("GET", "/queue");
    state.me = data.me;
    state.queue = data.waiting;
    state.mine = data.mine;
    renderQueue();
  } catch (err) { ui.liveState.textContent = `Queue unavailable: ${err.message}`; }
}

export function startWaitClocks() {
  setInterval(() => {
  for (const span of document.querySelectorAll(".wait[data-since]")) {
    span.textContent = duration((Date.now() - Number(span.dataset.since)) / 1000);
  }
}, 1000);
}

export async function claim(item) {
  try {
    await api("POST", `/handoffs/${item.id}/claim`);
    notice("");
    await refreshQueue();
    await openConversation(item.conversation_id);
  } catch (err) {
    const full = err.status === 409 && /at capacity/.test(err.message);  // teams: capacity
    notice(err.status === 409 && !full ? `Not yours: ${err.message}` : err.message, err.status === 409 ? "lost" : "error");
    refreshQueue();
    if (state.current === item.conversation_id) reloadHeader();
  }
}
