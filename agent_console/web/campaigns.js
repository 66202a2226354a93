// Campaigns page: list, create form, preview, launch, results (charts as inline SVG via
// charts.js, text set with textContent only). /console/campaigns#<id> opens one campaign.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const { svg } = window.charts;
  const API = "/console/api/campaigns";
  const COLOURS = { target: "#0b5cad", control: "#5b6b7b", app: "#0b5cad", telegram: "#8e44ad", call: "#c77700" };
  const DEFAULT_COST = { app: "0.05", telegram: "0.05", call: "3.00" };
  const percent = (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)} %`);
  const words = (s) => String(s || "").replace(/_/g, " ");
  let options = null;
  let current = null;

  async function call(path, method = "GET", body) {
    const init = { method, credentials: "same-origin", headers: {} };
    if (method !== "GET") {
      init.headers = { "Content-Type": "application/json", "X-CSRF-Token": csrf };
      init.body = JSON.stringify(body || {});
    }
    const res = await fetch(path, init);
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const detail = Array.isArray(data.detail) ? data.detail.map((d) => d.msg).join("; ") : data.detail;
      throw new Error(detail || `Request failed (${res.status}).`);
    }
    return data;
  }

  function notice(id, text) {
    $(id).textContent = text || "";
    $(id).hidden = !text;
  }

  function cells(tr, values) {
    for (const v of values) {
      const td = document.createElement("td");
      if (v instanceof Node) td.append(v); else td.textContent = String(v ?? "");
      tr.append(td);
    }
    return tr;
  }

  // Horizontal bars: [{label, value, text, colour, low, high}] scaled to the largest (or `max`);
  // `low`/`high` draw a confidence interval as a line across the bar.
  function bars(container, rows, max) {
    const width = 1000, row = 26, left = 300, height = Math.max(1, rows.length) * row + 10;
    const top = max || Math.max(1e-9, ...rows.map((r) => Math.max(r.value, r.high || 0)));
    const scale = (v) => ((width - left - 120) * v) / top;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", class: "bars" });
    rows.forEach((r, i) => {
      const y = 5 + i * row;
      const w = Math.max(1, scale(r.value));
      chart.append(svg("text", { x: left - 8, y: y + 17, "text-anchor": "end", class: "label" }, r.label));
      chart.append(svg("rect", { x: left, y: y + 4, width: w, height: row - 10, rx: 3,
        fill: r.colour || "#0b5cad", "data-label": r.label, "data-value": r.value }));
      if (r.low !== undefined && r.low !== null) {
        chart.append(svg("line", { x1: left + scale(r.low), x2: left + scale(r.high), y1: y + 13, y2: y + 13,
          stroke: "#1b1b1b", "stroke-width": 2, class: "interval" }));
      }
      const at = left + Math.max(w, r.high ? scale(r.high) : 0) + 6;
      chart.append(svg("text", { x: at, y: y + 17, class: "value" }, r.text ?? String(r.value)));
    });
    if (!rows.length) chart.append(svg("text", { x: 10, y: 20, class: "label" }, "Nobody."));
    container.replaceChildren(chart);
  }

  function checkboxes(container, name, values, label = words) {
    container.replaceChildren(...values.map((v) => {
      const code = typeof v === "string" ? v : v.code;
      const wrap = document.createElement("label");
      const box = document.createElement("input");
      Object.assign(box, { type: "checkbox", name, value: code, id: `${name}-${code}` });
      wrap.append(box, ` ${typeof v === "string" ? label(v) : v.label} `);
      return wrap;
    }));
  }

  function fillSelect(select, values, label = words) {
    select.replaceChildren(...values.map((v) => {
      const o = document.createElement("option");
      o.value = v.code ?? v;
      o.textContent = v.title ? `${v.title} (${v.code})` : label(v);
      return o;
    }));
  }

  function channelInputs() {
    $("f-channels").replaceChildren(...options.channels.map((ch) => {
      const wrap = document.createElement("p");
      const box = document.createElement("input");
      Object.assign(box, { type: "checkbox", id: `channel-${ch}`, value: ch, checked: true });
      const cost = document.createElement("input");
      Object.assign(cost, { type: "number", id: `cost-${ch}`, min: "0", step: "0.01", value: DEFAULT_COST[ch] || "0" });
      const label = document.createElement("label");
      label.append(box, ` ${ch} `);
      wrap.append(label, " cost ", cost);
      return wrap;
    }));
  }

  const checked = (name) => [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((b) => b.value);
  const chosen = (select) => [...select.selectedOptions].map((o) => o.value);

  function formBody() {
    const channels = options.channels.filter((ch) => $(`channel-${ch}`).checked);
    const cost = {};
    for (const ch of channels) cost[ch] = $(`cost-${ch}`).value || "0";
    return {
      name: $("f-name").value,
      offer_code: $("f-offer").value,
      spec: {
        segments: checked("segment"), risk_appetites: checked("appetite"), churn_bands: checked("churn"),
        holdings_require: chosen($("f-require")), holdings_exclude: chosen($("f-exclude")),
        channel_preference: $("f-preference").value || null,
      },
      channels, cost_per_contact: cost,
      starts_on: $("f-starts").value, ends_on: $("f-ends").value,
      control_share: Number($("f-control").value || 0) / 100,
    };
  }

  async function loadList() {
    const { campaigns } = await call(API);
    const body = document.querySelector("#campaign-list tbody");
    body.replaceChildren(...campaigns.map((c) => {
      const link = document.createElement("a");
      link.href = `#${c.id}`;
      link.textContent = c.name;
      const s = c.summary || {};
      return cells(document.createElement("tr"), [link, c.offer_code, c.status,
        `${c.starts_on} – ${c.ends_on}`, s.target ?? "–", s.control ?? "–"]);
    }));
    $("list-empty").hidden = campaigns.length > 0;
  }

  function showPreview(p) {
    $("preview").hidden = false;
    $("p-matched").textContent = p.matched;
    $("p-eligible").textContent = p.eligible;
    $("p-target").textContent = p.target;
    $("p-control").textContent = p.control;
    $("p-excluded").textContent = p.excluded_total;
    $("p-expected").textContent = p.expected_responses;
    $("p-model").textContent = ` ${p.model === "rules" ? "rules estimate" : "propensity model"} · expected value ${p.expected_value} CNY`;
    const segRows = [];
    for (const s of p.by_segment) {
      segRows.push({ label: `${words(s.segment)} · target`, value: s.target, colour: COLOURS.target });
      segRows.push({ label: `${words(s.segment)} · control`, value: s.control, colour: COLOURS.control });
    }
    bars($("chart-segments"), segRows);
    bars($("chart-channels"), p.by_channel.map((c) => ({ label: c.channel, value: c.target, colour: COLOURS[c.channel] })));
    const body = document.querySelector("#exclusions tbody");
    body.replaceChildren(...p.excluded.map((e) => {
      const rules = e.rules ? ` (${Object.entries(e.rules).map(([k, n]) => `${words(k)}: ${n}`).join(", ")})` : "";
      return cells(document.createElement("tr"), [`${e.text}${rules}`, e.count]);
    }));
    document.body.dataset.preview = "yes";
  }

  function showResults(r) {
    if (!r.launched) { $("results").hidden = true; return; }
    $("results").hidden = false;
    const t = r.totals;
    $("r-contacted").textContent = t.contacted;
    $("r-reached").textContent = t.reached;
    $("r-accepted").textContent = t.accepted;
    $("r-declined").textContent = t.declined;
    $("r-no-answer").textContent = t.no_answer;
    $("r-cpa").textContent = t.cost_per_acceptance ? `${t.cost_per_acceptance} CNY` : "–";
    $("r-cost").textContent = ` total cost ${t.cost} CNY`;
    const { target, control } = r.conversion;
    $("r-conv-target").textContent = percent(target.rate);
    $("r-conv-target-n").textContent = ` ${target.converted} of ${target.members}`;
    $("r-conv-control").textContent = percent(control.rate);
    $("r-conv-control-n").textContent = ` ${control.converted} of ${control.members}`;
    const u = r.uplift;
    $("r-uplift").textContent = u.uplift === null ? "–" : `${u.uplift >= 0 ? "+" : ""}${(u.uplift * 100).toFixed(1)} pts`;
    $("r-uplift-ci").textContent = u.low === null ? " (no control group)" : ` ${(u.low * 100).toFixed(1)} to ${(u.high * 100).toFixed(1)} pts`;
    bars($("chart-conversion"), ["target", "control"].map((g) => ({
      label: g, value: r.conversion[g].rate || 0, low: r.conversion[g].low, high: r.conversion[g].high,
      text: `${percent(r.conversion[g].rate)} (${percent(r.conversion[g].low)}–${percent(r.conversion[g].high)})`,
      colour: COLOURS[g],
    })));
    const contacts = r.rows.filter((x) => x.group === "target");
    bars($("chart-contacts"), contacts.map((x) => ({
      label: `${words(x.segment)} · ${x.channel}`, value: x.contacted,
      text: `${x.contacted} contacted · ${x.reached} reached · ${x.accepted} accepted`, colour: COLOURS[x.channel],
    })));
    const body = document.querySelector("#results-table tbody");
    body.replaceChildren(...r.rows.map((x) => cells(document.createElement("tr"), [x.group, words(x.segment),
      x.channel || "–", x.members, x.contacted, x.reached, x.accepted, x.declined, x.no_answer, x.converted, x.cost])));
    $("results-csv").href = `${API}/${r.campaign_id}/results.csv`;
    $("results-csv").hidden = false;
    document.body.dataset.results = "yes";
  }

  function audienceOf(c) {
    return { spec: c.spec, offer_code: c.offer_code, channels: c.channels, control_share: c.control_share, campaign_id: c.id };
  }

  async function open(id) {
    notice("campaign-notice", "");
    $("preview").hidden = true;
    $("results").hidden = true;
    $("results-csv").hidden = true;
    delete document.body.dataset.preview;
    delete document.body.dataset.results;
    try {
      current = await call(`${API}/${id}`);
    } catch (err) {
      $("campaign-view").hidden = true;
      notice("form-notice", err.message);
      return;
    }
    $("campaign-view").hidden = false;
    $("campaign-title").textContent = current.name;
    $("campaign-status").textContent = current.status;
    const spec = current.spec || {};
    const filters = Object.entries(spec).filter(([k]) => k !== "customer_ids")
      .map(([k, v]) => `${words(k)}: ${Array.isArray(v) ? v.map(words).join(", ") : words(v)}`);
    if (spec.customer_ids) filters.push(`${spec.customer_ids.length} chosen customers`);
    $("campaign-details").textContent = `Offer ${current.offer_code} · channels ${current.channels.join(" → ")} · ` +
      `${current.starts_on} to ${current.ends_on} · control ${Math.round(current.control_share * 100)} % · ` +
      (filters.length ? filters.join(" · ") : "everyone");
    $("launch-campaign").disabled = current.status !== "draft";
    $("preview-campaign").disabled = current.status !== "draft";
    if (current.status !== "draft") {
      if (current.summary) showPreview(current.summary);
      showResults(await call(`${API}/${id}/results`));
    }
    $("campaign-view").scrollIntoView();
  }

  async function preview() {
    notice("campaign-notice", "Counting the audience…");
    try {
      showPreview(await call(`${API}/preview`, "POST", audienceOf(current)));
      notice("campaign-notice", "");
    } catch (err) { notice("campaign-notice", err.message); }
  }

  async function launch() {
    $("launch-campaign").disabled = true;
    notice("campaign-notice", "Launching…");
    try {
      const result = await call(`${API}/${current.id}/launch`, "POST");
      notice("campaign-notice", `Launched: ${result.target} customers targeted, ${result.control} held back as the control group.`);
      await loadList();
      await open(current.id);
      notice("campaign-notice", `Launched: ${result.target} customers targeted, ${result.control} held back as the control group.`);
    } catch (err) {
      notice("campaign-notice", err.message);
      $("launch-campaign").disabled = false;
    }
  }

  async function create(event) {
    event.preventDefault();
    notice("form-notice", "");
    try {
      const c = await call(API, "POST", formBody());
      await loadList();
      location.hash = `#${c.id}`;
    } catch (err) { notice("form-notice", err.message); }
  }

  async function init() {
    options = await call(`${API}/options`);
    fillSelect($("f-offer"), options.offers);
    checkboxes($("f-segments"), "segment", options.segments);
    checkboxes($("f-appetites"), "appetite", options.risk_appetites);
    checkboxes($("f-churn"), "churn", options.churn_bands);
    fillSelect($("f-require"), options.holdings);
    fillSelect($("f-exclude"), options.holdings);
    channelInputs();
    const end = new Date(`${options.today}T00:00:00Z`);
    end.setUTCDate(end.getUTCDate() + 30);
    $("f-starts").value = options.today;
    $("f-ends").value = end.toISOString().slice(0, 10);
    $("campaign-form").addEventListener("submit", create);
    $("preview-campaign").addEventListener("click", preview);
    $("launch-campaign").addEventListener("click", launch);
    window.addEventListener("hashchange", () => { const id = location.hash.slice(1); if (/^\d+$/.test(id)) open(id); });
    await loadList();
    const id = location.hash.slice(1);
    if (/^\d+$/.test(id)) await open(id);
    document.body.dataset.loaded = "yes";
  }

  init().catch((err) => { document.body.dataset.loaded = "error"; notice("form-notice", err.message); });
})();
