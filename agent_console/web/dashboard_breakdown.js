// Supervisor dashboard, per team and agent: tables, CSAT and containment-by-intent charts
// drawn as inline SVG (no chart library, nothing from a CDN). dashboard.js fetches the figures
// for the chosen period and hands them to window.dashboardBreakdown; text goes in with
// textContent only.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const ALONE = "#2e8b57", PERSON = "#c77700", BAR = "#0b5cad";
  const SCORE_COLOURS = ["#b3261e", "#d9622b", "#c9a227", "#6aa84f", "#2e8b57"];

  const { svg, duration } = window.charts;  // charts.js
  const csat = (c) => (c ? `${c.average.toFixed(2)} (${c.count})` : "–");
  const words = (intent) => intent.replace(/_/g, " ");

  // Horizontal bars, each split into parts: rows = [{label, parts: [{value, colour}], text}].
  function stacked(container, rows) {
    const width = 1000, row = 26, left = 300, height = Math.max(1, rows.length) * row + 10;
    const total = (r) => r.parts.reduce((sum, p) => sum + p.value, 0);
    const top = Math.max(1, ...rows.map(total));
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", class: "bars" });
    rows.forEach((r, i) => {
      const y = 5 + i * row;
      let x = left;
      chart.append(svg("text", { x: left - 8, y: y + 17, "text-anchor": "end", class: "label" }, r.label));
      for (const part of r.parts) {
        const w = ((width - left - 120) * part.value) / top;
        if (w > 0) {
          chart.append(svg("rect", { x, y: y + 4, width: w, height: row - 10, fill: part.colour,
            "data-label": r.label, "data-part": part.name, "data-value": part.value }));
        }
        x += w;
      }
      chart.append(svg("text", { x: x + 6, y: y + 17, class: "value" }, r.text));
    });
    if (!rows.length) chart.append(svg("text", { x: 10, y: 20, class: "label" }, "No data in this period."));
    container.replaceChildren(chart);
  }

  function table(id, rows) {
    const body = document.querySelector(`#${id} tbody`);
    body.replaceChildren(...rows.map((cells) => {
      const tr = document.createElement("tr");
      for (const v of cells) {
        const td = document.createElement("td");
        td.textContent = String(v);
        tr.append(td);
      }
      return tr;
    }));
  }

  function teams(rows) {
    stacked($("chart-teams"), rows.map((t) => ({
      label: t.name, text: `${t.volume} handoffs · ${t.sla_breaches} breached`,
      parts: [{ name: "within SLA", value: t.volume - t.sla_breaches, colour: BAR },
              { name: "breached", value: t.sla_breaches, colour: "#b3261e" }],
    })));
    table("team-table", rows.map((t) => [t.name, t.volume, t.closed,
      duration(t.average_first_response_seconds), duration(t.average_handle_seconds),
      t.sla_breaches, t.transfers_in, csat(t.csat)]));
  }

  function agents(rows) {
    const body = rows.map((a) => [a.name, a.handled, a.closed,
      duration(a.average_first_response_seconds), duration(a.average_handle_seconds),
      a.sla_breaches, a.transfers_out, csat(a.csat)]);
    table("agent-table", body);
    document.querySelectorAll("#agent-table tbody tr").forEach((tr, i) => {
      tr.dataset.agent = rows[i].name;
    });
  }

  function satisfaction(s) {
    $("m-csat").textContent = s.average === null ? "–" : s.average.toFixed(2);
    $("m-csat-detail").textContent = ` ${s.count} ratings`;
    $("m-csat-assistant").textContent = s.assistant ? s.assistant.average.toFixed(2) : "–";
    $("m-csat-assistant-detail").textContent = s.assistant ? ` ${s.assistant.count} ratings` : "";
    const scores = ["5", "4", "3", "2", "1"];
    stacked($("chart-csat"), s.count ? scores.map((score) => ({
      label: `${score} ${score === "1" ? "(poor)" : score === "5" ? "(excellent)" : ""}`.trim(),
      text: String(s.distribution[score]),
      parts: [{ name: score, value: s.distribution[score], colour: SCORE_COLOURS[Number(score) - 1] }],
    })) : []);
    table("csat-intent-table", s.by_intent.map((r) => [words(r.intent), r.count, r.average.toFixed(2)]));
  }

  function containment(rows) {
    stacked($("chart-containment"), rows.map((r) => ({
      label: words(r.intent),
      text: `${Math.round(r.containment_rate * 100)} % alone (${r.alone} of ${r.total})`,
      parts: [{ name: "alone", value: r.alone, colour: ALONE },
              { name: "with a person", value: r.with_person, colour: PERSON }],
    })));
  }

  window.dashboardBreakdown = (m) => {
    if (!m.teams) return;  // an older server: nothing to draw
    teams(m.teams);
    agents(m.agents);
    satisfaction(m.satisfaction);
    containment(m.containment_by_intent);
  };
})();
