// What the dashboard's scripts share: SVG nodes built with textContent only (no chart library,
// nothing from a CDN) and durations in words. Loaded before dashboard.js and its breakdown.
window.charts = (() => {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
    return m ? `${m} min ${s} s` : `${s} s`;
  }
  return { svg, duration };
})();
