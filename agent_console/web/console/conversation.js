// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.

import { api } from "./api.js";
import { clock, el } from "./dom.js";
import { loadCopilot, loadSuggestions } from "./copilot.js";
import { watch } from "./live.js";
import { claim, refreshQueue, renderQueue } from "./queue.js";
import { renderHeaderClock } from "./sla.js";
import { REASONS, STATUS, notice, state, ui } from "./state.js";
import { loadSummary } from "./summary.js";
import { transferText } from "./transfer.js";

// ---- conversation ----
export function lineKey(line) { return `${line.kind}|${line.time}|${line.text || line.state || line.name || ""}`; }

export function describe(line) {
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
      if (line.state === "transferred") return transferText(line);
      return `Closed by ${line.agent || "an agent"} (${(line.disposition || "").replace(/_/g, " ")})`;
    default: return "";
  }
}

// How the console names the languages the assistant detects (core.language).
const LANGUAGE_NAMES = { zh: "中文", en: "EN" };

export function addLine(line) {
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
        line.kind === "customer" && line.language
          ? el("span", { class: "language", title: "Language of this message", text: LANGUAGE_NAMES[line.language] || line.language })
          : null,
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

export function renderHeader(conversation) {
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
  renderHeaderClock(conversation.sla);
  ui.conversation.dataset.mine = conversation.can_act ? "yes" : "no";
  ui.claim.hidden = conversation.handoff_status !== "pending";
  ui.replyText.disabled = !conversation.can_act;
  ui.send.disabled = !conversation.can_act;
  ui.wrapUp.hidden = !conversation.can_act;
  document.querySelectorAll(".outcome, .present[data-offer]").forEach((b) => { b.disabled = !conversation.can_act; });
}

export async function reloadHeader() {
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

export function closeView() {
  state.current = null;
  ui.conversation.hidden = true;
  ui.empty.hidden = false;
  ui.copilot.replaceChildren(el("p", { class: "muted", text: "Customer details appear here." }));
  watch();
  renderQueue();
}

export async function openConversation(conversationId) {
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
    loadSummary(conversationId);
    if (data.conversation.customer_id || data.conversation.id) loadCopilot();
    loadSuggestions();
  } catch (err) {
    notice(err.message, "error");
    closeView();
  }
}

// ---- typing and replies ----
let typingOn = false, typingTimer = null;
export function typing(on) {
  if (!state.socket || state.socket.readyState !== WebSocket.OPEN || !state.canAct) return;
  if (on !== typingOn) {
    typingOn = on;
    state.socket.send(JSON.stringify({ type: "typing", on }));
  }
}
// The reply box, the claim button and the wrap-up forms of the conversation pane.
export function bindReplies() {
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
}

export async function afterEnd() {
  ui.notes.value = "";
  await refreshQueue();
  await reloadHeader();
  watch();
}
