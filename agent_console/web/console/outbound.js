// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.
//
// Outbound calls: the calls the bank plans (campaigns, events), beside the inbound queue.
// Opening one shows why this customer, why now, the offer, the script in the assistant's
// words, the best time to call and the whole relationship; Claim makes the call this
// agent's (the phone number appears), and the outcome buttons record how it went.

import { api } from "./api.js";
import { $, el, localInput, localStamp, reasonsList, section, utcDate } from "./dom.js";
import { renderCopilot } from "./copilot.js";
import { renderTimeline } from "./timeline.js";
import { notice, state, ui } from "./state.js";

const OUTCOMES = [
  ["reached", "Reached"], ["no_answer", "No answer"], ["accepted", "Accepted"],
  ["declined", "Declined"], ["do_not_contact", "Do not contact"],
];
const LABELS = Object.fromEntries([...OUTCOMES, ["callback", "Call back"]]);
const STEPS = { opening: "Opening", offer: "Offer", callback: "If now is not a good time",
  opt_out: "If they ask not to be contacted", closing: "Closing" };
const HELD_BACK = { no_consent: "no consent", quiet_hours: "quiet hours", weekly_limit: "weekly limit",
  declined_recently: "declined recently", no_channel: "no channel" };
const REFRESH_MS = 30000;
const outbound = { open: null, now: null };

const view = () => $("outbound");
const when = localStamp;  // the agent's clock; the server's times are UTC

// The bank's clock (UTC, from the server) plus some minutes, as the agent's local time for a
// datetime-local input (what the agent types is sent back as UTC).
function bankTimePlus(minutes) {
  const base = outbound.now ? utcDate(outbound.now).getTime() : Date.now();
  return localInput(new Date(base + minutes * 60000));
}

function show(visible) {
  view().hidden = !visible;
  if (visible) {
    ui.conversation.hidden = true; ui.empty.hidden = true;
    const call = $("call"); if (call) call.hidden = true;
    state.current = null; state.canAct = false;  // no chat is open: chat buttons stay disabled
  }
}

function close() {
  outbound.open = null;
  view().replaceChildren();
  show(false);
  ui.empty.hidden = false;
}

function line(item, kind) {
  const li = el("li", { class: `queue-item outbound-item${item.urgent ? " urgent" : ""}${outbound.open === item.id ? " current" : ""}`,
    "data-item": item.id, "data-kind": kind },
    el("div", { class: "row" },
      el("strong", { text: item.customer_name }),
      el("span", { class: "muted small", text: item.customer_no }),
      kind === "mine" ? el("span", { class: "badge mine", text: "yours" }) : null,
      kind === "scheduled" ? el("span", { class: "badge", text: `call back ${when(item.callback_at)}` }) : null,
      item.urgent ? el("span", { class: "badge hot", text: `expires ${when(item.expires_at)}` }) : null),
    el("p", { class: "summary", text: item.reason.text || item.reason.code || "" }),
    el("div", { class: "row small" },
      item.offer_name ? el("span", { text: item.offer_name }) : el("span", { class: "muted", text: "no offer" }),
      el("span", { class: "muted", text: `value ${item.expected_value}` }),
      item.attempts ? el("span", { class: "muted", text: `${item.attempts} unanswered` }) : null),
    el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary open", text: "Open", on: { click: () => openItem(item.id) } })));
  return li;
}

export async function refreshOutbound() {
  const list = $("outbound-list");
  if (!list) return;
  try {
    const data = await api("GET", "/outbound");
    outbound.now = data.now;
    const held = Object.entries(data.held_back || {});
    list.replaceChildren(
      ...data.mine.map((i) => line(i, "mine")),
      ...data.items.map((i) => line(i, "open")),
      ...data.scheduled.map((i) => line(i, "scheduled")));
    if (!list.children.length) list.append(el("li", { class: "muted empty", text: "No calls to make now." }));
    $("outbound-count").textContent = String(data.mine.length + data.items.length);
    $("outbound-held").textContent = held.length
      ? `Held back by the contact policy: ${held.map(([code, n]) => `${n} ${HELD_BACK[code] || code}`).join(", ")}.` : "";
  } catch (err) { /* the inbound queue stands on its own */ }
}

function outcomeForm(data) {
  const note = el("input", { id: "outbound-note", maxlength: "1000", placeholder: "Note (optional)" });
  const at = el("input", { id: "outbound-callback-at", type: "datetime-local", value: bankTimePlus(60),
    min: bankTimePlus(1), max: localInput(utcDate(data.item.expires_at)) });
  const buttons = OUTCOMES.map(([value, label]) => el("button", {
    type: "button", class: `outcome ${value}${value === "do_not_contact" ? " danger" : ""}`, "data-outcome": value, text: label,
    on: { click: () => record(data, value, { note: note.value }) } }));
  return el("div", { id: "outbound-outcome", class: "close-form", "aria-label": "Call outcome" },
    el("div", { class: "actions" }, ...buttons),
    el("div", { class: "row" },
      el("label", {}, "Call back at (your time) ", at),
      el("button", { type: "button", class: "secondary", "data-outcome": "callback", text: "Call back",
        on: { click: () => record(data, "callback",
          { note: note.value, callback_at: at.value ? new Date(at.value).toISOString() : "" }) } })),
    el("label", {}, "Note ", note),
    el("button", { type: "button", class: "secondary release", text: "Put back on the list",
      on: { click: () => release(data.item.id) } }));
}

function render(data) {
  const p = data.profile, item = data.item, mine = item.status === "mine";
  const offer = data.offer;
  view().replaceChildren(
    el("header", { class: "conversation-head" },
      el("h2", { id: "outbound-title", text: `Outbound call: ${p.full_name} (${p.customer_no})` }),
      el("span", { class: "badge", id: "outbound-phone", text: `phone ${p.phone}` }),
      mine && item.claimed_until ? el("span", { class: "badge mine", text: `yours until ${when(item.claimed_until)}` }) : null),
    section("Why this customer", el("p", { id: "outbound-why", text: data.why_customer.text || data.why_customer.code || "" })),
    section("Why now", el("p", { id: "outbound-why-now", text: data.why_now.text })),
    section("Offer", offer
      ? el("div", { id: "outbound-offer" }, el("p", {}, el("strong", { text: offer.name }),
        el("span", { class: "small muted", text: ` (${offer.code}) · expected value ${item.expected_value}` })), reasonsList(offer.reasons))
      : el("p", { class: "muted", text: "No offer: a care call." })),
    section("Best time to call",
      el("p", { id: "outbound-best-time" }, el("strong", { text: data.best_time.window || "Any time in calling hours" })),
      el("p", { class: "small muted", text: data.best_time.basis })),
    section("Script", data.script.length
      ? el("ol", { id: "outbound-script", class: "call-script" }, ...data.script.map((s) =>
        el("li", { "data-step": s.step }, el("span", { class: "small muted", text: `${STEPS[s.step] || s.step}: ` }), s.text)))
      : el("p", { class: "muted", text: "The script is unavailable (the assistant cannot be reached)." })),
    mine ? outcomeForm(data)
      : el("div", { class: "actions" }, el("button", { id: "outbound-claim", type: "button", text: "Claim and call",
        on: { click: () => claim(item.id) } }),
      el("button", { type: "button", class: "secondary", text: "Close", on: { click: close } })));
  show(true);
  renderCopilot({ anonymous: false, profile: p,
    offers: { offers: [], awaiting_outcome: [], held_back: [], contact_policy: null } });
  for (const block of ui.copilot.querySelectorAll("section.copilot-section")) {
    if (block.querySelector("h3")?.textContent === "Offers") block.remove();  // in the call view
  }
  renderTimeline(data.timeline);
}

async function openItem(id) {
  try {
    outbound.open = id;
    render(await api("GET", `/outbound/${id}`));
  } catch (err) {
    notice(err.message, "error");
    refreshOutbound();
  }
}

async function claim(id) {
  try {
    outbound.open = id;
    render(await api("POST", `/outbound/${id}/claim`));
    notice("The call is yours: dial the number shown.");
  } catch (err) {
    notice(err.message, "error");
  }
  refreshOutbound();
}

async function release(id) {
  try {
    await api("POST", `/outbound/${id}/release`);
    close();
    notice("The call is back on the list.");
  } catch (err) { notice(err.message, "error"); }
  refreshOutbound();
}

async function record(data, outcome, extra) {
  if (outcome === "do_not_contact" && !confirm("Opt the customer out of marketing on every channel?")) return;
  if (outcome === "callback" && !extra.callback_at) { notice("Choose when to call back.", "error"); return; }
  const body = { outcome, note: extra.note || "" };
  if (extra.callback_at) body.callback_at = extra.callback_at;
  for (const button of view().querySelectorAll("#outbound-outcome button")) button.disabled = true;
  try {
    const result = await api("POST", `/outbound/${data.item.id}/outcome`, body);
    let text = `Call outcome recorded: ${LABELS[outcome]}`;
    if (result.callback_at) text += ` at ${when(result.callback_at)}`;
    else if (result.status === "pending") text += `; tried again after ${when(result.not_before)}`;
    if (result.presentation) text += ` (offer ${result.presentation.offer_code})`;
    notice(`${text}.`);
    $("outbound-outcome").replaceWith(el("div", { class: "call-done" },
      el("p", { id: "outbound-recorded", text: `${text}.` }),
      el("button", { type: "button", class: "secondary", text: "Close", on: { click: close } })));
  } catch (err) {
    notice(err.message, "error");
    for (const button of view().querySelectorAll("#outbound-outcome button")) button.disabled = false;
  }
  refreshOutbound();
}

export function bindOutbound() {
  if (!$("outbound-list") || !view()) return;
  // Opening a chat or looking a caller up leaves the outbound view.
  for (const list of [ui.queue, ui.mine]) list.addEventListener("click", () => { if (!view().hidden) show(false); });
  $("call-form")?.addEventListener("submit", () => { if (!view().hidden) show(false); });
  $("call-return")?.addEventListener("click", () => { if (!view().hidden) show(false); });
  refreshOutbound();
  setInterval(refreshOutbound, REFRESH_MS);
}
