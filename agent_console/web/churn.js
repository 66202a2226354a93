// Churn view for marketing staff: figures from /console/api/churn, stacked bars as inline SVG
// (charts.js), texts set with textContent only. A selection of rising-risk customers becomes a
// proactive-care campaign (POST /console/api/campaigns), opened on the campaigns page.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const { svg } = window.charts;
  const LEVEL_COLOURS = { high: "#b3261e", medium: "#c77700", low: "#2e8b57" };
  const percent = (x) => `${(x * 100).toFixed(1)} %`;

  // One bar per group, split into high / medium / low, scaled to the largest group.
  function stacked(container, rows) {
    const width = 1000, row = 26, left = 300, height = Math.max(1, rows.length) * row + 10;
    const top = Math.max(1, ...rows.map((r) => r.total));
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", class: "bars" });
    rows.forEach((r, i) => {
      const y = 5 + i * row;
      chart.append(svg("text", { x: left - 8, y: y + 17, "text-anchor": "end", class: "label" }, r.label));
      let x = left;
      for (const level of ["high", "medium", "low"]) {
        const w = ((width - left - 150) * r[level]) / top;
        if (r[level]) {
          chart.append(svg("rect", { x, y: y + 4, width: Math.max(1, w), height: row - 10,
            fill: LEVEL_COLOURS[level], "data-key": r.key, "data-level": level, "data-value": r[level] },
          ));
        }
        x += w;
      }
      chart.append(svg("text", { x: x + 6, y: y + 17, class: "value", "data-key": r.key },
        `${percent(r.at_risk_share)} of ${r.total}`));
    });
    if (!rows.length) chart.append(svg("text", { x: 10, y: 20, class: "label" }, "No customers scored yet."));
    container.replaceChildren(chart);
  }

  function cells(tr, values) {
    for (const v of values) {
      const td = document.createElement("td");
      if (v instanceof Node) td.append(v); else td.textContent = String(v ?? "–");
      tr.append(td);
    }
    return tr;
  }

  function factors(rows) {
    $("factor-table").querySelector("tbody").replaceChildren(...rows.map((f) => {
      const tr = cells(document.createElement("tr"),
        [f.label, f.at_risk_customers, percent(f.share_of_at_risk), f.customers, f.mean_weight.toFixed(2)]);
      tr.dataset.code = f.code;
      return tr;
    }));
  }

  function selected() {
    return [...document.querySelectorAll("#rising-table input.pick:checked")].map((b) => Number(b.value));
  }

  function refreshButton() {
    $("create-care").disabled = !selected().length || !$("care-offer").value;
  }

  function rising(m) {
    $("rising-note").textContent = `Risk now (data as of ${m.as_of.slice(0, 10)}) against the same model on the data as of ${m.compared_with.slice(0, 10)}; listed when it rose by ${Math.round(m.rise_threshold * 100)} points or more.` +
      (m.rising_total > m.rising.length ? ` The ${m.rising.length} largest rises of ${m.rising_total} are shown.` : "");
    $("rising-table").querySelector("tbody").replaceChildren(...m.rising.map((c) => {
      const box = document.createElement("input");
      Object.assign(box, { type: "checkbox", className: "pick", value: String(c.customer_id) });
      box.setAttribute("aria-label", `Select ${c.full_name}`);
      box.addEventListener("change", refreshButton);
      const tr = cells(document.createElement("tr"), [box, `${c.full_name} (${c.customer_no})`, c.phone,
        (c.segment || "").replace(/_/g, " "), c.city, percent(c.score_before), `${percent(c.score_now)} · ${c.level}`,
        c.top_factor]);
      tr.dataset.customer = String(c.customer_id);
      return tr;
    }));
    if (!m.rising.length) {
      const tr = cells(document.createElement("tr"), ["", "No customer's risk rose this month."]);
      $("rising-table").querySelector("tbody").replaceChildren(tr);
    }
  }

  async function createCampaign(m) {
    const ids = selected();
    const channels = [...document.querySelectorAll('input[name="care-channel"]:checked')].map((b) => b.value);
    const ends = new Date(`${m.today}T00:00:00Z`);
    ends.setUTCDate(ends.getUTCDate() + 14);
    $("create-care").disabled = true;
    $("care-status").textContent = "Creating…";
    const response = await fetch("/console/api/campaigns", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({
        name: `Proactive care ${m.today} (${ids.length} customers)`,
        spec: { customer_ids: ids }, offer_code: $("care-offer").value, channels,
        starts_on: m.today, ends_on: ends.toISOString().slice(0, 10), control_share: 0.1,
      }),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      $("care-status").textContent = typeof data.detail === "string" ? data.detail : `Error ${response.status}`;
      refreshButton();
      return;
    }
    location.href = `/console/campaigns#${data.id}`;
  }

  async function load() {
    const response = await fetch("/console/api/churn", { credentials: "same-origin" });
    if (!response.ok) { document.body.dataset.loaded = "error"; return; }
    const m = await response.json();
    $("as-of").textContent = m.as_of ? `Scores from the data as of ${m.as_of.slice(0, 10)}` : "No scores yet.";
    $("m-customers").textContent = m.customers;
    for (const level of ["high", "medium", "low"]) $(`m-${level}`).textContent = m.levels[level];
    $("m-rising").textContent = m.rising_total;
    $("m-rising-detail").textContent = m.compared_with ? ` since ${m.compared_with.slice(0, 10)}` : "";
    stacked($("chart-segment"), m.by_segment);
    stacked($("chart-product"), m.by_product);
    stacked($("chart-region"), m.by_region);
    factors(m.factors);
    $("care-offer").replaceChildren(...m.retention_offers.map((o) => {
      const option = document.createElement("option");
      option.value = o.code; option.textContent = `${o.title} (${o.code})`;
      return option;
    }));
    if (m.compared_with) rising(m);
    $("select-all").onchange = () => {
      for (const box of document.querySelectorAll("#rising-table input.pick")) box.checked = $("select-all").checked;
      refreshButton();
    };
    $("create-care").onclick = () => createCampaign(m);
    refreshButton();
    document.body.dataset.loaded = "yes";
  }

  load();
})();
