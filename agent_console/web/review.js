// Conversation review: assign intents to poorly understood messages, export conversations.
// Texts are inserted with textContent only; state changes carry the session's CSRF token.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function notify(text, kind, report) {
    const notice = $("review-notice");
    notice.textContent = text;
    notice.dataset.kind = kind;
    notice.hidden = false;
    const pre = $("validation-report");
    pre.textContent = (report || []).join("\n");
    pre.hidden = !(report && report.length);
    pre.dataset.kind = kind;
  }

  async function call(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => ({}));
    return { ok: res.ok, status: res.status, data };
  }

  function row(item) {
    const tr = document.createElement("tr");
    tr.className = "review-row";
    tr.dataset.item = item.id;
    tr.append(cell(item.text));
    tr.append(cell(item.predicted_intent || "–"));
    tr.append(cell(`${(item.confidence * 100).toFixed(0)} %${item.reason === "fallback" ? " (fallback)" : ""}`));
    const td = document.createElement("td");
    const input = document.createElement("input");
    input.setAttribute("list", "intent-names");
    input.setAttribute("aria-label", `Intent for: ${item.text}`);
    // A fallback's guess was too weak to act on: offered as a hint, not as the answer.
    if (item.reason === "fallback") input.placeholder = item.predicted_intent || "intent";
    else input.value = item.predicted_intent || "";
    td.append(input);
    tr.append(td);
    const actions = document.createElement("td");
    actions.className = "actions";
    const add = document.createElement("button");
    add.type = "button";
    add.textContent = "Add to training data";
    const skip = document.createElement("button");
    skip.type = "button";
    skip.className = "secondary";
    skip.textContent = "Dismiss";
    actions.append(add, skip);
    tr.append(actions);

    add.addEventListener("click", async () => {
      const intent = input.value.trim();
      if (!intent) { input.focus(); return; }
      add.disabled = skip.disabled = true;
      add.textContent = "Validating…";
      const res = await call("POST", `/console/api/review/${item.id}/assign`, { intent });
      if (res.ok) {
        const what = res.data.written ? `Added to ${res.data.file} as ${intent}` : `Already in the training data as ${intent}`;
        notify(`${what}${res.data.new_intent ? " (new intent: write a rule or story for it)" : ""}.`, "ok", res.data.report);
        tr.dataset.state = "added";
        actions.textContent = "Added";
        loadIntents();
      } else {
        const detail = res.data.detail || {};
        notify(detail.message || detail || `Error ${res.status}`, "error", detail.report);
        add.disabled = skip.disabled = false;
        add.textContent = "Add to training data";
      }
    });
    skip.addEventListener("click", async () => {
      const res = await call("POST", `/console/api/review/${item.id}/dismiss`);
      if (res.ok) tr.remove(); else notify(res.data.detail || `Error ${res.status}`, "error");
    });
    return tr;
  }

  async function loadIntents() {
    const res = await fetch("/console/api/review/intents");
    if (!res.ok) return;
    const list = $("intent-names");
    list.replaceChildren(...(await res.json()).map((name) => {
      const option = document.createElement("option");
      option.value = name;
      return option;
    }));
  }

  async function loadReview() {
    const res = await fetch("/console/api/review");
    if (!res.ok) { notify(`Could not load the review list (${res.status}).`, "error"); return; }
    const items = await res.json();
    $("open-count").textContent = String(items.length);
    $("review-table").querySelector("tbody").replaceChildren(...items.map(row));
    $("review-empty").hidden = items.length > 0;
  }

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    a.setAttribute("download", "");
    return a;
  }

  async function loadConversations() {
    const res = await fetch("/console/api/export/conversations");
    if (!res.ok) return;
    const rows = (await res.json()).map((c) => {
      const tr = document.createElement("tr");
      tr.dataset.conversation = c.id;
      tr.append(cell(c.id), cell(c.last_channel || "–"), cell(c.status), cell(new Date(c.updated_at).toLocaleString()));
      const td = document.createElement("td");
      td.className = "actions";
      const base = `/console/api/conversations/${encodeURIComponent(c.id)}/export`;
      td.append(link(`${base}/story`, "Rasa story"), link(`${base}/e2e`, "E2E test"));
      tr.append(td);
      return tr;
    });
    $("export-table").querySelector("tbody").replaceChildren(...rows);
  }

  loadIntents();
  loadReview();
  loadConversations();
})();
