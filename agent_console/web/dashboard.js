// Supervisor dashboard: figures from /console/api/dashboard, charts drawn as inline SVG.
// No chart library (nothing is fetched from a CDN); labels are set with textContent.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const COLOURS = ["#0b5cad", "#2e8b57", "#c77700", "#8e44ad", "#b3261e", "#5b6b7b"];
  const CHANNEL_COLOURS = { app: "#0b5cad", telegram: "#8e44ad", phone: "#c77700", branch: "#2e8b57", web: "#5b6b7b" };

  const { svg, duration } = window.charts;  // charts.js
  const percent = (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)} %`);

  // Horizontal bars: [{label, value, text}] scaled to the largest value (or to `max`).
  function bars(container, rows, max) {
    const width = 1000, row = 26, left = 300, height = Math.max(1, rows.length) * row + 10;
    const top = max || Math.max(1, ...rows.map((r) => r.value));
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", class: "bars" });
    rows.forEach((r, i) => {
      const y = 5 + i * row;
      const w = Math.max(1, ((width - left - 70) * r.value) / top);
      chart.append(svg("text", { x: left - 8, y: y + 17, "text-anchor": "end", class: "label" }, r.label));
      chart.append(svg("rect", { x: left, y: y + 4, width: w, height: row - 10, rx: 3,
        fill: r.colour || COLOURS[i % COLOURS.length], "data-label": r.label, "data-value": r.value }));
      chart.append(svg("text", { x: left + w + 6, y: y + 17, class: "value" }, r.text ?? String(r.value)));
    });
    if (!rows.length) chart.append(svg("text", { x: 10, y: 20, class: "label" }, "No data in this period."));
    container.replaceChildren(chart);
  }

  function offersTable(rows) {
    const body = document.querySelector("#offer-table tbody");
    body.replaceChildren(...rows.map((r) => {
      const tr = document.createElement("tr");
      for (const v of [r.segment.replace(/_/g, " "), r.channel, r.presented, r.accepted, r.declined, percent(r.response_rate)]) {
        const td = document.createElement("td");
        td.textContent = String(v);
        tr.append(td);
      }
      return tr;
    }));
  }

  async function load() {
    const days = $("days").value;
    const response = await fetch(`/console/api/dashboard?days=${days}`, { credentials: "same-origin" });
    if (!response.ok) { document.body.dataset.loaded = "error"; return; }
    const m = await response.json();
    $("m-waiting").textContent = m.waiting;
    $("m-active").textContent = m.active;
    $("m-closed").textContent = m.closed;
    if (m.sla) {  // first-response breaches of the period; complaints overdue now
      $("m-sla-breaches").textContent = m.sla.breached;
      $("m-sla-detail").textContent = `${m.sla.warning} at risk · ${m.sla.complaints_overdue} complaints overdue`;
    }
    $("m-wait").textContent = duration(m.average_wait_seconds);
    $("m-handle").textContent = duration(m.average_handle_seconds);
    $("m-containment").textContent = percent(m.containment_rate);
    $("m-containment-detail").textContent = ` ${m.contained} of ${m.conversations} conversations without a person`;
    bars($("chart-queue"), [
      { label: "Waiting", value: m.waiting }, { label: "Active", value: m.active },
      { label: "Closed", value: m.closed },
    ]);
    bars($("chart-offers"), m.offer_response.map((r, i) => ({
      label: `${r.segment.replace(/_/g, " ")} · ${r.channel}`, value: r.response_rate,
      text: `${percent(r.response_rate)} of ${r.presented}`,
      colour: CHANNEL_COLOURS[r.channel] || COLOURS[i % COLOURS.length],
    })), 1);
    offersTable(m.offer_response);
    if (window.dashboardBreakdown) window.dashboardBreakdown(m);  // teams, agents, CSAT, intents
    document.body.dataset.loaded = "yes";
  }

  $("days").addEventListener("change", load);
  load();
  setInterval(load, 15000);
})();
