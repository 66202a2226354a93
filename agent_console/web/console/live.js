// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.

import { addLine, reloadHeader } from "./conversation.js";
import { loadCopilot, loadSuggestionsSoon } from "./copilot.js";
import { refreshQueue, refreshQueueSoon, renderQueue } from "./queue.js";
import { notice, state, ui } from "./state.js";

// ---- live socket ----
export function watch() {
  if (state.socket && state.socket.readyState === WebSocket.OPEN) {
    state.socket.send(JSON.stringify({ type: "watch", conversation_id: state.current }));
  }
}

export function onLive(data) {
  // Feature modules (notes.js, ...) listen for the events they handle, without this switch.
  document.dispatchEvent(new CustomEvent("console:live", { detail: data }));
  if (data.type === "line") {  // a line of a conversation
    if (data.conversation_id !== state.current) return;
    const line = data.line;
    addLine(line);
    if (line.kind === "customer") loadSuggestionsSoon();
    if (line.kind === "agent" && line.buttons && line.buttons.length) loadCopilot();
    if (line.kind === "queue") reloadHeader();
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

export function connect() {
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
