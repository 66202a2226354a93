// Agent console: the handoff summary at the top of the conversation pane (issue 17).
// Built by the platform (GET /conversations/{id}/summary); every text is set with
// textContent, never innerHTML, so a customer's words holding markup show as text.

import { api } from "./api.js";
import { el } from "./dom.js";
import { REASONS, state, ui } from "./state.js";

const MOOD = { negative: "negative", neutral: "neutral", positive: "positive" };

function box() {
  let node = document.getElementById("handoff-summary");
  if (!node) {
    node = el("section", { id: "handoff-summary", class: "handoff-summary", "aria-label": "Handoff summary", hidden: true });
    ui.transcript.before(node);
  }
  return node;
}

function row(name, cls, ...content) {
  return [el("dt", { text: name }), el("dd", { class: cls }, ...content)];
}

export function renderSummary(summary) {
  const node = box();
  if (!summary || (!summary.customer_messages && !summary.handoff)) { node.hidden = true; node.replaceChildren(); return; }
  const first = summary.first_request;
  const reason = REASONS[summary.reason] || summary.reason || "";
  const understood = summary.intents.map((i) => (i.count > 1 ? `${i.intent} ×${i.count}` : i.intent)).join(", ");
  const entities = summary.entities.map((e) => `${e.entity}: ${e.value}`).join(" · ");
  const mood = summary.mood || { label: "neutral", cues: [] };
  const open = summary.open_question;
  node.dataset.mood = mood.label;
  node.replaceChildren(
    el("h3", { text: "Handoff summary" }),
    el("dl", {},
      ...row("Why", "summary-why", el("strong", { class: "reason", text: reason || "—" }),
        summary.why ? el("span", { class: "muted", text: ` ${summary.why}` }) : null,
        first ? el("div", { class: "came-for", text: `Came for: “${first.text}”${first.intent ? ` (${first.intent})` : ""}` }) : null),
      ...row("Understood", "summary-understood", el("span", { text: understood || "—" }),
        entities ? el("div", { class: "small", text: entities }) : null),
      ...row("Done", "summary-done", summary.done.length
        ? el("ul", {}, ...summary.done.map((d) => el("li", { "data-kind": d.kind, text: d.text })))
        : el("span", { class: "muted", text: "Nothing yet." })),
      ...row("Mood", "summary-mood",
        el("span", { class: `badge mood ${mood.label}`, text: MOOD[mood.label] || mood.label }),
        mood.cues && mood.cues.length ? el("span", { class: "small muted", text: ` (${mood.cues.join(", ")})` }) : null),
      ...row("Open question", "summary-open", el("span", { text: open ? `“${open.text}”` : "None: a person has answered." }))));
  node.hidden = false;
}

export async function loadSummary(conversationId = state.current) {
  if (!conversationId) return;
  if (box().dataset.conversation !== conversationId) { box().hidden = true; box().replaceChildren(); }
  box().dataset.conversation = conversationId;
  try {
    const summary = await api("GET", `/conversations/${encodeURIComponent(conversationId)}/summary`);
    if (state.current === conversationId) renderSummary(summary);
  } catch (err) {
    if (state.current === conversationId) box().hidden = true;
  }
}

let timer = null;
function loadSoon() { clearTimeout(timer); timer = setTimeout(() => loadSummary(), 1000); }

// The summary follows the conversation: a new line from the customer or a person, or the
// platform saying the handoff's summary changed.
document.addEventListener("console:live", (event) => {
  const data = event.detail || {};
  if (data.conversation_id !== state.current) return;
  if (data.type === "handoff.summary") loadSoon();
  else if (data.type === "line" && data.line && ["customer", "agent", "handoff"].includes(data.line.kind)) loadSoon();
});
