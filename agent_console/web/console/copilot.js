// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.

import { api } from "./api.js";
import { el, reasonsList, section, table } from "./dom.js";
import { typing } from "./conversation.js";
import { notice, state, ui } from "./state.js";
import { loadTimeline } from "./timeline.js";

// ---- copilot ----
export function offerCard(offer) {
  const seen = offer.seen;
  const here = Boolean(seen && seen.conversation_id === state.current);
  return el("li", { class: "offer", "data-offer": offer.code },
    el("div", { class: "row" }, el("strong", { text: offer.name }),
      el("span", { class: "badge", text: offer.context === "retention" ? "retention" : "next best" })),
    el("div", { class: "small" }, `Expected value ${offer.expected_value} · propensity ${(offer.propensity * 100).toFixed(1)} %`),
    reasonsList(offer.reasons),
    seen ? el("p", { class: "seen small", text:
      `Already seen: ${seen.presented_by} in ${seen.channel} on ${seen.presented_at.slice(0, 10)}${seen.outcome ? ` (${seen.outcome})` : ""}` }) : null,
    here
      ? el("button", { type: "button", class: "present", disabled: true, text: "Presented in this conversation" })
      : el("button", { type: "button", class: "present", disabled: !state.canAct,
        "data-offer": offer.code, text: "Present to customer", on: { click: () => present(offer) } }));
}

export function awaitingCard(item) {
  const buttons = ["accepted", "declined", "ignored"].map((outcome) =>
    el("button", { type: "button", class: `outcome ${outcome}`, disabled: !state.canAct,
      text: outcome[0].toUpperCase() + outcome.slice(1),
      on: { click: () => recordOutcome(item.presentation_id, outcome) } }));
  return el("li", { class: "awaiting", "data-presentation": item.presentation_id },
    el("span", { text: `${item.offer_code} presented (${item.presented_by}) — outcome?` }),
    el("div", { class: "actions" }, ...buttons));
}

export function renderCopilot(data) {
  if (data.anonymous) {
    ui.copilot.replaceChildren(el("p", { class: "muted", text: "Anonymous chat: the customer is not signed in." }));
    return;
  }
  const p = data.profile, o = data.offers;
  ui.title.textContent = `${p.full_name} (${p.customer_no})`;
  const churn = p.churn;
  ui.copilot.replaceChildren(
    section("Customer 360",
      el("p", { class: "name", text: `${p.full_name} · ${p.customer_no}` }),
      el("p", { class: "small", text: `${p.age} years · customer for ${p.tenure_years} years · ${p.city} · phone ${p.phone}` }),
      el("p", {}, el("strong", { text: "Segment: " }), p.segment.label), reasonsList(p.segment.reasons),
      el("p", {}, el("strong", { text: "Risk appetite: " }), p.risk_appetite.label), reasonsList(p.risk_appetite.reasons)),
    section("Churn risk",
      el("p", { class: `churn ${churn.level}`, text: `${churn.level} (${(churn.score * 100).toFixed(0)} %)` }),
      el("ul", { class: "reasons" }, ...churn.factors.map((f) => el("li", { text: f.text })))),
    consentSection(p.marketing_consent || {}),
    section("Holdings", table(["Product", "Number", "Balance", "Status"],
      p.accounts.map((a) => [a.product_name || a.kind, `****${a.number_last4}`, `${a.balance} ${a.currency}`, a.status]))),
    section("Cards", table(["Card", "Status", "Expires"], p.cards.map((c) => [`${c.kind} ****${c.last4}`, c.status, c.expires_on]))),
    section("Recent transactions", table(["Date", "Description", "Amount", "Status"],
      p.transactions.map((t) => [t.posted_at.slice(0, 10), t.description, `${t.amount} ${t.currency}`, t.status]))),
    section("Open complaints", p.open_complaints.length
      ? el("ul", {}, ...p.open_complaints.map((c) => el("li", { text: `${c.reference} · ${c.category} · due ${c.sla_due}: ${c.description}` })))
      : el("p", { class: "muted", text: "None." })),
    section("Opportunities", p.opportunities.length
      ? el("ul", {}, ...p.opportunities.map((x) => el("li", { text: `${x.reason.text} (${x.status})` })))
      : el("p", { class: "muted", text: "None." })),
    section("Offers",
      o.awaiting_outcome.length ? el("ul", { class: "awaiting-list" }, ...o.awaiting_outcome.map(awaitingCard)) : null,
      o.offers.length ? el("ul", { class: "offers" }, ...o.offers.map(offerCard))
        : el("p", { class: "muted", text: "No offer can be presented now." }),
      o.held_back.length ? el("ul", { class: "held-back small" }, ...o.held_back.map((h) => el("li", { text: `${h.code}: ${h.text}` }))) : null,
      o.contact_policy ? el("p", { class: "small muted", text:
        `Contact policy: ${o.contact_policy.presented_last_7_days} of ${o.contact_policy.weekly_limit} offers this week` }) : null));
}

// Marketing consent per channel; the agent records what the customer asks for on this call or
// chat (source "console"), never on their own initiative.
function consentSection(consents) {
  const change = (channel, granted) => el("button", { type: "button", class: "consent-change small",
    disabled: !state.canAct, "data-channel": channel, text: granted ? `Customer agrees: ${channel}` : `Customer withdraws: ${channel}`,
    on: { click: () => changeConsent(channel, granted) } });
  return section("Marketing consent",
    table(["Channel", "Consent", "Source", "Since"], Object.entries(consents).map(([channel, c]) =>
      [channel, c.granted ? "yes" : "no", c.source || "never asked", (c.recorded_at || "").slice(0, 10)])),
    el("div", { class: "actions" }, ...Object.entries(consents).map(([channel, c]) => change(channel, !c.granted)),
      el("button", { type: "button", class: "consent-change small", disabled: !state.canAct, "data-channel": "all",
        text: "Opt out everywhere", on: { click: () => changeConsent("all", false) } })));
}

async function changeConsent(channel, granted) {
  try {
    await api("POST", `/conversations/${encodeURIComponent(state.current)}/marketing-consent`, { channel, granted });
    notice(`Marketing consent recorded: ${channel} ${granted ? "yes" : "no"}.`);
  } catch (err) { notice(err.message, "error"); }
  loadCopilot();
}

export async function loadCopilot() {
  const conversationId = state.current;
  try {
    const data = await api("GET", `/conversations/${encodeURIComponent(conversationId)}/customer`);
    if (state.current === conversationId) { renderCopilot(data); loadTimeline(conversationId); }
  } catch (err) {
    if (state.current === conversationId) ui.copilot.replaceChildren(el("p", { class: "error", text: err.message }));
  }
}

export async function present(offer) {
  try {
    await api("POST", `/conversations/${encodeURIComponent(state.current)}/offers/${encodeURIComponent(offer.code)}/present`);
    notice(`${offer.name} presented to the customer.`);
  } catch (err) { notice(err.message, "error"); }
  loadCopilot();
}

export async function recordOutcome(presentationId, outcome) {
  try {
    await api("POST", `/presentations/${presentationId}/outcome`, { outcome });
    notice(`Outcome recorded: ${outcome}.`);
  } catch (err) { notice(err.message, "error"); }
  loadCopilot();
}

let suggestionTimer = null;
export function loadSuggestionsSoon() { clearTimeout(suggestionTimer); suggestionTimer = setTimeout(loadSuggestions, 150); }
export async function loadSuggestions() {
  const conversationId = state.current;
  if (!conversationId) return;
  try {
    const data = await api("GET", `/conversations/${encodeURIComponent(conversationId)}/suggestions`);
    if (state.current !== conversationId) return;
    const chips = data.suggestions.map((s) => el("button", {
      type: "button", class: "suggestion", title: s.response, text: s.text,
      on: { click: () => { ui.replyText.value = s.text; ui.replyText.focus(); typing(true); } },
    }));
    const about = data.message && data.message.intent
      ? el("span", { class: "small muted", text: `Suggested for “${data.message.intent}”:` }) : null;
    ui.suggestions.replaceChildren(...(chips.length ? [about, ...chips] : []));
  } catch (err) { ui.suggestions.replaceChildren(); }
}
