// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.

import { api } from "./api.js";
import { el, localStamp, section } from "./dom.js";
import { state, ui } from "./state.js";

// ---- the whole relationship (copilot panel): every interaction on record, newest first ----
const KINDS = {
  contact: "Contact", card: "Card", complaint: "Complaint", dispute: "Dispute",
  offer: "Offer", handoff: "Handoff", note: "Note",
};
const SHOWN = 12;  // the rest behind "Show all"

function entry(item) {
  return el("li", { class: `timeline-entry ${item.kind}`, "data-kind": item.kind },
    el("div", { class: "row small" },
      el("time", { datetime: item.at, text: localStamp(item.at) }),
      el("span", { class: "badge", text: KINDS[item.kind] || item.kind }),
      item.channel ? el("span", { class: "channel", text: item.channel }) : null),
    el("div", { class: "title", text: item.title }),
    item.detail ? el("div", { class: "detail small muted", text: item.detail }) : null);
}

export function renderTimeline(entries) {
  const list = el("ol", { id: "timeline", class: "timeline", "aria-label": "Relationship timeline" },
    ...entries.slice(0, SHOWN).map(entry));
  const more = entries.length > SHOWN
    ? el("button", { type: "button", class: "secondary small", text: `Show all ${entries.length}`,
      on: { click: (event) => { list.replaceChildren(...entries.map(entry)); event.target.remove(); } } })
    : null;
  document.getElementById("timeline-section")?.remove();
  const body = entries.length ? [list, more] : [el("p", { class: "muted", text: "Nothing on record." })];
  const block = section("The whole relationship", ...body);
  block.id = "timeline-section";
  ui.copilot.append(block);
}

export async function loadTimeline(conversationId) {
  try {
    const data = await api("GET", `/conversations/${encodeURIComponent(conversationId)}/timeline`);
    if (state.current === conversationId && !data.anonymous) renderTimeline(data.entries);
  } catch (err) { /* the rest of the copilot stands on its own */ }
}
