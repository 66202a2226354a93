// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.

import { $ } from "./dom.js";

// What the console shows now: the queue, the open conversation, the socket.
export const ui = {
  queue: $("queue"), mine: $("mine"), waitingCount: $("waiting-count"), liveState: $("live-state"),
  notice: $("notice"), empty: $("conversation-empty"), conversation: $("conversation"),
  title: $("conversation-title"), status: $("conversation-status"), claim: $("claim"),
  transcript: $("transcript"), suggestions: $("suggestions"), reply: $("reply"),
  replyText: $("reply-text"), send: $("send"), wrapUp: $("wrap-up"), handBack: $("hand-back"),
  closeForm: $("close-form"), disposition: $("disposition"), notes: $("notes"), copilot: $("copilot"),
};
export const REASONS = {
  customer_request: "Asked for a person", fallback: "Bot did not understand",
  retention: "Retention", complaint: "Complaint", callback: "Callback",
};
export const STATUS = { bot: "with the bot", pending: "waiting", open: "open", resolved: "resolved" };
export const state = {
  me: null, queue: [], mine: [], current: null, conversation: null, canAct: false,
  seen: new Set(), lastChannel: null, activeForm: false, unread: new Set(), socket: null,
};

export function notice(text, kind = "info") {
  ui.notice.textContent = text;
  ui.notice.dataset.kind = kind;
  ui.notice.hidden = !text;
}
