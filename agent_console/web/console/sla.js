// SLA: the first-response countdown on queue items and in the conversation header, and the
// supervisor's warnings and breach alerts (live events sla.handoff / sla.complaints).
// Every text is set with textContent.

import { $, el } from "./dom.js";
import { openConversation } from "./conversation.js";

const RANK = { ok: 0, warning: 1, breached: 2 };
const MAX_ALERTS = 20;

function mmss(seconds) {
  seconds = Math.max(0, Math.floor(seconds));
  const m = Math.floor(seconds / 60), s = seconds % 60;
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m}:${String(s).padStart(2, "0")}`;
}

// One timer: counts down to the due time, amber from the warning time, red when overdue;
// stops at the first reply. The server's state (what the check decided) is never undone.
function paint(span) {
  const due = Number(span.dataset.due), warn = Number(span.dataset.warn), now = Date.now();
  let current = now >= due ? "breached" : now >= warn ? "warning" : "ok";
  if (RANK[span.dataset.server] > RANK[current]) current = span.dataset.server;
  if (span.dataset.answered) {
    span.dataset.state = span.dataset.server === "breached" ? "breached" : "ok";
    span.textContent = span.dataset.state === "breached" ? "SLA answered late" : "SLA answered in time";
    return;
  }
  span.dataset.state = current;
  span.textContent = now < due ? `SLA ${mmss((due - now) / 1000)} left` : `SLA overdue ${mmss((now - due) / 1000)}`;
}

export function slaTimer(clock) {
  if (!clock || !clock.due_at) return null;
  const due = Date.parse(clock.due_at);
  const span = el("span", {
    class: "sla-timer", title: `First reply due ${new Date(due).toLocaleTimeString()}`,
    "data-due": due, "data-warn": clock.warn_at ? Date.parse(clock.warn_at) : due,
    "data-server": clock.state || "ok", "data-answered": clock.first_response_at ? "yes" : null,
  });
  paint(span);
  return span;
}

// The conversation header's timer (conversation.renderHeader passes conversation.sla).
export function renderHeaderClock(clock) {
  const holder = $("conversation-sla");
  if (holder) holder.replaceChildren(...[slaTimer(clock)].filter(Boolean));
}

function alertList() {
  let list = $("sla-alerts");
  if (!list) {  // a supervisor's console: the list sits above the queue
    list = el("ol", { id: "sla-alerts", class: "sla-alerts", "aria-label": "SLA alerts" });
    $("queue-title").before(list);
  }
  return list;
}

function addAlert(li) {
  const list = alertList();
  list.prepend(li);
  while (list.children.length > MAX_ALERTS) list.lastElementChild.remove();
}

function handoffAlert(data) {
  const word = data.state === "breached" ? "SLA breached" : "SLA warning";
  const due = new Date(Date.parse(data.due_at)).toLocaleTimeString();
  addAlert(el("li", {
    class: "sla-alert", "data-state": data.state, "data-conversation": data.conversation_id,
    "data-handoff": data.handoff_id,
  },
    el("strong", { text: word }),
    el("span", { text: ` ${data.conversation_id} · ${data.team} · ${data.priority} · first reply due ${due}` }),
    el("button", { type: "button", class: "secondary small", text: "Open",
      on: { click: () => openConversation(data.conversation_id) } })));
}

function complaintsAlert(data) {
  const named = (data.complaints || []).map((c) => `${c.reference} (due ${c.due})`).join(", ");
  const parts = [];
  if (data.breached) parts.push(`${data.breached} overdue`);
  if (data.warning) parts.push(`${data.warning} due soon`);
  addAlert(el("li", { class: "sla-alert complaints", "data-state": data.breached ? "breached" : "warning" },
    el("strong", { text: `Complaints: ${parts.join(", ")}` }),
    el("span", { class: "small", text: ` ${named}` })));
}

export function bindSla() {
  setInterval(() => { for (const span of document.querySelectorAll(".sla-timer[data-due]")) paint(span); }, 1000);
  document.addEventListener("console:live", (event) => {
    const data = event.detail || {};
    if (data.type === "sla.handoff") handoffAlert(data);
    else if (data.type === "sla.complaints") complaintsAlert(data);
  });
}
