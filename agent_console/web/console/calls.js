// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.
//
// Phone calls: look the caller up by phone or customer number, show the chat's copilot for
// them (no conversation), the offer to say (the one the app showed, in the assistant's
// words) and a wrap-up form that records the outcome in the closed loop and the history.

import { api } from "./api.js";
import { $, el, section } from "./dom.js";
import { renderCopilot } from "./copilot.js";
import { notice, state, ui } from "./state.js";

const OUTCOMES = [
  ["offer_accepted", "Offer accepted"], ["offer_declined", "Offer declined"],
  ["no_answer", "No answer"], ["callback", "Callback"], ["resolved", "Resolved"],
];
const call = { id: null, data: null };

function showCall(visible) {
  $("call").hidden = !visible;
  $("call-return").hidden = visible || !call.data;
  if (visible) { ui.conversation.hidden = true; ui.empty.hidden = true; }
}

// Back from a chat to the call still to be wrapped up.
function returnToCall() {
  if (call.data) renderCall(call.data);
}

function endCallView() {
  call.id = null; call.data = null;
  showCall(false);
  $("call").replaceChildren();
}

// The copilot's offer buttons present in a chat; on a call the agent says the offer, so
// each button picks it in the wrap-up form instead.
function adaptOffers(offers) {
  for (const card of ui.copilot.querySelectorAll("li.offer")) {
    const offer = offers.offers.find((o) => o.code === card.dataset.offer);
    if (!offer) continue;
    if (offer.code === offers.suggested) {
      card.classList.add("suggested");
      card.prepend(el("span", { class: "badge suggested-badge", text: offer.follow_up ? "Say this offer: the customer already has it" : "Suggested" }));
    }
    const button = card.querySelector("button.present");
    if (button) button.replaceWith(el("button", { type: "button", class: "pick-offer", "data-offer": offer.code,
      text: "Offered on this call", on: { click: () => { $("call-offer").value = offer.code; } } }));
  }
}

function wrapUpForm(data) {
  const offers = data.offers.offers;
  const offerSelect = el("select", { id: "call-offer", name: "offer_code" },
    el("option", { value: "", text: "— no offer —" }),
    ...offers.map((o) => el("option", { value: o.code, text: `${o.name} (${o.code})`, selected: o.code === data.offers.suggested })));
  const form = el("form", { id: "call-wrap-up", class: "close-form", autocomplete: "off" },
    el("label", {}, "Outcome ", el("select", { id: "call-outcome", name: "outcome", required: true },
      el("option", { value: "", text: "Choose…" }),  // no default: an acceptance is never assumed
      ...OUTCOMES.map(([value, label]) => el("option", { value, text: label })))),
    el("label", {}, "Offer ", offerSelect),
    el("label", {}, "Note ", el("input", { id: "call-note", name: "note", maxlength: "1000" })),
    el("button", { id: "call-finish", type: "submit", text: "Record call outcome" }));
  form.addEventListener("submit", (event) => { event.preventDefault(); wrapUp(form); });
  return form;
}

function renderCall(data) {
  const p = data.profile, suggested = data.offers.offers.find((o) => o.code === data.offers.suggested);
  const say = suggested ? section("Offer to say",
    el("p", {}, el("strong", { text: suggested.name }), suggested.seen
      ? el("span", { class: "small muted", text: ` · shown ${suggested.seen.presented_by} in ${suggested.seen.channel} on ${suggested.seen.presented_at.slice(0, 10)}` }) : null),
    data.script.length ? el("ol", { class: "call-script" }, ...data.script.map((t) => el("li", { text: t }))) : null)
    : el("p", { class: "muted", text: "No offer can be presented now." });
  $("call").replaceChildren(
    el("header", { class: "conversation-head" },
      el("h2", { id: "call-title", text: `Phone call: ${p.full_name} (${p.customer_no})` }),
      el("span", { class: "badge", text: `phone ${p.phone}` })),
    say, wrapUpForm(data));
  showCall(true);
  state.current = null; state.canAct = false;  // no chat is open: chat buttons stay disabled
  renderCopilot({ anonymous: false, profile: p, offers: data.offers });
  adaptOffers(data.offers);
}

async function lookUp(event) {
  event.preventDefault();
  const query = $("call-query").value.trim(), error = $("call-error");
  error.hidden = true;
  if (!query) return;
  const body = /^[A-Za-z]/.test(query) ? { customer_no: query } : { phone: query };
  try {
    const data = await api("POST", "/calls/lookup", body);
    call.id = data.call_id; call.data = data;
    renderCall(data);
    $("call-query").value = "";
  } catch (err) {
    error.textContent = err.status === 404 ? "No customer with this number." : err.message;
    error.hidden = false;
  }
}

async function wrapUp(form) {
  const body = { outcome: $("call-outcome").value, note: $("call-note").value };
  const offer = $("call-offer").value;
  if (offer) body.offer_code = offer;
  $("call-finish").disabled = true;
  try {
    const result = await api("POST", `/calls/${call.id}/wrap-up`, body);
    const label = OUTCOMES.find(([v]) => v === result.outcome)[1];
    call.data = null;  // recorded: nothing to return to
    notice(`Call recorded: ${label}${result.presentation ? ` (${result.presentation.offer_code})` : ""}.`);
    form.replaceWith(el("div", { class: "call-done" },
      el("p", { id: "call-recorded", text: `Call recorded: ${label}.` }),
      el("button", { type: "button", class: "secondary", text: "Close call", on: { click: endCallView } })));
  } catch (err) {
    notice(err.message, "error");
    $("call-finish").disabled = false;
  }
}

export function bindCalls() {
  const form = $("call-form");
  if (!form) return;
  form.addEventListener("submit", lookUp);
  form.after(el("button", { id: "call-return", type: "button", class: "secondary", hidden: true,
    text: "Return to the call", on: { click: returnToCall } }));
  // Opening a chat from the queue leaves the call view (the call stays unrecorded until wrapped up).
  for (const list of [ui.queue, ui.mine]) list.addEventListener("click", () => { if (call.id) showCall(false); });
}
