// Agent console (one module per pane). Every text from customers (or anyone) is inserted
// with textContent / text nodes, never innerHTML, so a message holding markup shows as text.

export const $ = (id) => document.getElementById(id);

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}
// The server speaks UTC ("...Z", or naive UTC on the business clock); an agent reads and types
// times on their own clock (a call centre in Chengdu: 18:00 is 10:00 UTC).
export const utcDate = (iso) => new Date(/(Z|[+-]\d\d:\d\d)$/i.test(iso) ? iso : `${iso}Z`);
const pad = (n) => String(n).padStart(2, "0");
// A Date as a datetime-local input's value: YYYY-MM-DDTHH:MM on the agent's clock.
export const localInput = (date) =>
  `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
// A server time as "YYYY-MM-DD HH:MM" on the agent's clock ("" for none).
export const localStamp = (iso) => (iso ? localInput(utcDate(iso)).replace("T", " ") : "");
export const clock = (seconds) => new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
export function duration(seconds) {
  seconds = Math.max(0, Math.floor(seconds));
  const m = Math.floor(seconds / 60), s = seconds % 60;
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : m ? `${m} min ${s} s` : `${s} s`;
}
export function section(title, ...children) {
  return el("section", { class: "copilot-section" }, el("h3", { text: title }), ...children);
}
export function reasonsList(reasons) {
  return el("ul", { class: "reasons" }, ...(reasons || []).map((r) => el("li", { text: r.text })));
}
export function table(headers, rows) {
  return el("table", { class: "small" },
    el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { text: h })))),
    el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", { text: c ?? "" }))))));
}
