// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.

// Canned responses. In the reply box, typing a shortcut ("/fe") offers the library's replies,
// those that fit the customer's last intent first; choosing one puts it, filled with the
// customer's data in their language, into the reply box for the agent to edit and send as
// any reply. Supervisors also get a small editor for the library (#canned-library).

import { api } from "./api.js";
import { el } from "./dom.js";
import { typing } from "./conversation.js";
import { notice, state, ui } from "./state.js";

const TOKEN = /^\/[a-z0-9_-]*$/;
const menu = el("ul", { id: "canned-menu", class: "canned-menu", role: "listbox", "aria-label": "Canned responses", hidden: true });
const FRESH_MS = 30_000; // a supervisor's edits reach agents within this
let options = [], active = -1, loaded = null, request = 0;

// The intent the assistant understood in the customer's last message (shown in the transcript).
function lastIntent() {
  const shown = [...ui.transcript.querySelectorAll(".line.customer .intent")].pop();
  return shown ? shown.textContent.trim().split(/\s+/)[0] : "";
}

async function library(intent) {
  if (!loaded || loaded.intent !== intent || Date.now() - loaded.at > FRESH_MS) {
    const data = await api("GET", `/canned${intent ? `?intent=${encodeURIComponent(intent)}` : ""}`);
    loaded = { intent, responses: data.responses, at: Date.now() };
  }
  return loaded.responses;
}

function close() {
  menu.hidden = true;
  menu.replaceChildren();
  options = [];
  active = -1;
  ui.replyText.setAttribute("aria-expanded", "false");
  ui.replyText.removeAttribute("aria-activedescendant");
}

function highlight(index) {
  active = index;
  options.forEach((o, i) => o.node.setAttribute("aria-selected", i === index ? "true" : "false"));
  if (options[index]) {
    ui.replyText.setAttribute("aria-activedescendant", options[index].node.id);
    options[index].node.scrollIntoView({ block: "nearest" });
  }
}

async function offer() {
  const typed = ui.replyText.value.trim().toLowerCase();
  if (!state.canAct || !TOKEN.test(typed)) { close(); return; }
  const mine = ++request;
  let responses;
  try { responses = await library(lastIntent()); } catch (err) { close(); return; }
  if (mine !== request) return;
  const matching = responses.filter((r) => r.shortcut.startsWith(typed));
  if (!matching.length) { close(); return; }
  options = matching.map((r, i) => ({
    response: r,
    node: el("li", { id: `canned-option-${r.id}`, class: "canned-option", role: "option", "aria-selected": i === 0 ? "true" : "false",
      "data-shortcut": r.shortcut, on: { mousedown: (event) => { event.preventDefault(); choose(i); } } },
    el("strong", { text: r.shortcut }), " ", el("span", { text: r.title }),
    r.fits ? el("span", { class: "badge fits", text: "fits the customer's question" }) : null),
  }));
  menu.replaceChildren(...options.map((o) => o.node));
  menu.hidden = false;
  ui.replyText.setAttribute("aria-expanded", "true");
  highlight(0);
}

async function choose(index) {
  const chosen = options[index];
  const conversationId = state.current;
  close();
  if (!chosen || !conversationId) return;
  try {
    const filled = await api("GET", `/conversations/${encodeURIComponent(conversationId)}/canned/${chosen.response.id}`);
    if (state.current !== conversationId) return;
    ui.replyText.value = filled.text;
    ui.replyText.focus();
    ui.replyText.setSelectionRange(filled.text.length, filled.text.length);
    typing(true);
    if (filled.missing.length) {
      notice(`Fill in before sending: ${filled.missing.map((n) => `{${n}}`).join(", ")} (not on the customer's record).`);
    }
  } catch (err) { notice(err.message, "error"); }
}

// Keys are taken before the reply box's own (Enter sends) while the menu is open.
function keys(event) {
  if (menu.hidden || event.target !== ui.replyText) return;
  const moves = { ArrowDown: 1, ArrowUp: -1 };
  if (event.key in moves) {
    highlight((active + moves[event.key] + options.length) % options.length);
  } else if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
    choose(Math.max(active, 0));
  } else if (event.key === "Escape") {
    close();
  } else {
    return;
  }
  event.preventDefault();
  event.stopPropagation();
}

// ---- the supervisors' editor ----
function field(label, input) { return el("label", { class: "canned-field" }, label, input); }

function editor(root, variables, row, reload) {
  const shortcut = el("input", { name: "shortcut", required: true, maxlength: 25, placeholder: "/fees", value: row ? row.shortcut : "" });
  const title = el("input", { name: "title", required: true, maxlength: 80, value: row ? row.title : "" });
  const textEn = el("textarea", { name: "text_en", required: true, maxlength: 2000, rows: 3 });
  const textZh = el("textarea", { name: "text_zh", required: true, maxlength: 2000, rows: 3, lang: "zh-CN" });
  textEn.value = row ? row.text_en : "";
  textZh.value = row ? row.text_zh : "";
  const intents = el("input", { name: "intents", placeholder: "card_arrival, card_delivery_estimate", value: row ? row.intents.join(", ") : "" });
  const activeBox = el("input", { type: "checkbox", name: "active", checked: row ? row.active : true });
  const problem = el("p", { class: "error small", role: "alert", hidden: true });
  const form = el("form", { class: "canned-form", "aria-label": row ? `Edit ${row.shortcut}` : "New canned response" },
    el("h4", { text: row ? `Edit ${row.shortcut}` : "New canned response" }),
    field("Shortcut", shortcut), field("Title", title), field("English text", textEn), field("Chinese text", textZh),
    field("Intents (comma-separated)", intents), el("label", {}, activeBox, " Active (agents can use it)"),
    el("p", { class: "small muted", text: `Variables: ${variables.map((v) => `{${v.name}}`).join(" ")}` }),
    problem,
    el("button", { type: "submit", text: row ? "Save changes" : "Add response" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {
      shortcut: shortcut.value.trim(), title: title.value.trim(), text_en: textEn.value, text_zh: textZh.value,
      intents: intents.value.split(",").map((s) => s.trim()).filter(Boolean), active: activeBox.checked,
    };
    try {
      await api(row ? "PUT" : "POST", row ? `/canned/${row.id}` : "/canned", body);
      loaded = null;
      notice(`Canned response ${body.shortcut} saved.`);
      reload();
    } catch (err) {
      problem.textContent = err.message;
      problem.hidden = false;
    }
  });
  return form;
}

async function manage(root) {
  const reload = () => manage(root);
  let data;
  try { data = await api("GET", "/canned?all=true"); } catch (err) {
    root.replaceChildren(el("p", { class: "error", text: err.message }));
    return;
  }
  const slot = el("div", { class: "canned-editor" });
  const show = (row) => { slot.replaceChildren(editor(root, data.variables, row, reload)); slot.querySelector("input").focus(); };
  root.replaceChildren(
    el("ul", { class: "canned-list" }, ...data.responses.map((r) => el("li", { "data-shortcut": r.shortcut },
      el("strong", { text: r.shortcut }), ` ${r.title} `,
      r.active ? null : el("span", { class: "badge", text: "inactive" }),
      el("button", { type: "button", class: "secondary small", "aria-label": `Edit ${r.shortcut}`, text: "Edit", on: { click: () => show(r) } })))),
    el("button", { type: "button", class: "secondary", text: "New canned response", on: { click: () => show(null) } }),
    slot);
}

export function bindCanned() {
  ui.replyText.setAttribute("aria-controls", menu.id);
  ui.replyText.setAttribute("aria-autocomplete", "list");
  ui.replyText.setAttribute("aria-expanded", "false");
  ui.reply.after(menu);
  ui.replyText.addEventListener("input", offer);
  ui.replyText.addEventListener("blur", () => setTimeout(close, 150));
  ui.reply.addEventListener("keydown", keys, true);
  const admin = document.getElementById("canned-library");
  if (admin) {
    admin.addEventListener("toggle", () => { if (admin.open) manage(admin.querySelector(".canned-admin")); });
  }
}
