// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.

import { api } from "./api.js";
import { clock, el } from "./dom.js";
import { refreshQueueSoon } from "./queue.js";
import { notice, state, ui } from "./state.js";

// ---- internal notes (for the next agent) and supervisors' whispers (to this agent) ----
// Neither is ever sent to the customer: they live in the console only.
const panel = el("section", { id: "notes-panel", class: "notes-panel" },
  el("h3", {}, "Internal notes ", el("span", { class: "small muted", text: "(never sent to the customer)" })),
  el("ol", { id: "notes-list", class: "notes-list" }));
const form = el("form", { id: "note-form", class: "note-form", autocomplete: "off" },
  el("input", { id: "note-text", maxlength: 2000, "aria-label": "Internal note", placeholder: "Note for the next agent…" }),
  el("button", { id: "note-add", type: "submit", class: "secondary", text: "Add note" }));
panel.append(form);
const toasts = el("div", { id: "whispers", class: "whispers", role: "status", "aria-live": "polite" });
let shown = new Set();

export function noteItem(note) {
  const whisper = note.kind === "whisper";
  const who = whisper ? `Whisper from ${note.author}${note.to ? ` to ${note.to}` : ""}` : note.author;
  return el("li", { class: `note ${note.kind}`, "data-kind": note.kind, "data-note": note.id },
    el("div", { class: "meta small" }, el("strong", { text: who }), el("time", { text: clock(note.time) })),
    el("div", { class: "text", text: note.text }));
}

function addNote(note) {
  if (shown.has(note.id) || note.conversation_id !== state.current) return;
  shown.add(note.id);
  document.getElementById("notes-list").append(noteItem(note));
}

async function loadNotes(conversationId, canAct) {
  shown = new Set();
  document.getElementById("notes-list").replaceChildren();
  form.hidden = !(canAct || (state.me && state.me.role === "supervisor"));
  try {
    const data = await api("GET", `/conversations/${encodeURIComponent(conversationId)}/notes`);
    if (state.current === conversationId) data.notes.forEach(addNote);
  } catch (err) { /* the conversation view reports access problems itself */ }
}

export function toast(text, kind) {
  const item = el("div", { class: `toast ${kind}`, "data-kind": kind },
    el("span", { text }),
    el("button", { type: "button", class: "secondary small", text: "Dismiss", on: { click: () => item.remove() } }));
  toasts.append(item);
}

const MOVED = {
  taken_over: (e) => `${e.by} took over ${e.conversation_id}; it is no longer yours.`,
  reassigned_away: (e) => `${e.by} gave ${e.conversation_id} to ${e.to}; it is no longer yours.`,
  assigned: (e) => `${e.by} gave you ${e.conversation_id}: it is in My conversations.`,
};

function onEvent(event) {
  const data = event.detail;
  if (data.type === "watching") loadNotes(data.conversation_id, data.can_act);
  else if (data.type === "line" && data.line && data.line.kind === "note") addNote(data.line);
  else if (data.type === "whisper") {
    addNote(data.note);
    toast(`Whisper from ${data.note.author} (${data.conversation_id}): ${data.note.text}`, "whisper");
  } else if (data.type === "conversation.moved") {
    toast((MOVED[data.how] || (() => `${data.conversation_id} moved.`))(data), "moved");
    refreshQueueSoon();
  }
}

export function bindNotes() {
  ui.wrapUp.after(panel);
  document.body.append(toasts);
  document.addEventListener("console:live", onEvent);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("note-text");
    const text = input.value.trim();
    if (!text || !state.current) return;
    try {
      addNote(await api("POST", `/conversations/${encodeURIComponent(state.current)}/notes`, { text }));
      input.value = "";
    } catch (err) { notice(err.message, "error"); }
  });
}
