/*
 * The dashboard's overview, browser side: the tiles (rates, totals, ack latency, connections),
 * the rejects by code and the two SVG charts, drawn from the feed's `snapshot` and `point`
 * events (see `dashboard_feed_script.js`) with the helpers of `dashboard_dom_script.js`.
 * Type-checked with `browser.deno.json`.
 */
"use strict";
(function () {
  const dom = /** @type {import("./dashboard_dom_script.js").Dom} */ (Reflect.get(globalThis, "veltrixDashboard"));
  const { $, setText, fmtRate, fmtCount, fmtMs, fmtTime, cell, emptyRow } = dom;
  const SVG = "http://www.w3.org/2000/svg";
  const MAX_POINTS = 300;
  /** @type {any[]} */
  let points = [];
  let feedIntervalMs = 1000;
  /** @type {Record<string, string>} */
  const colors = {};
  const rootStyle = getComputedStyle(document.documentElement);
  ["in", "acked", "p50", "p99"].forEach(/** @param {any} name */ function (name) {
    colors[name] = rootStyle.getPropertyValue("--" + name).trim();
    const swatch = /** @type {HTMLElement | null} */ (document.querySelector(".sw-" + name));
    if (swatch) swatch.style.background = colors[name];
  });

  /** @param {Element} parent @param {string} name @param {Record<string, unknown>} attributes @param {string} [text] */ function svgNode(
    parent,
    name,
    attributes,
    text,
  ) {
    const node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(/** @param {any} key */ function (key) {
      node.setAttribute(key, String(attributes[key]));
    });
    if (text !== undefined) node.textContent = text;
    parent.appendChild(node);
    return node;
  }
  /** @param {any} value */ function niceMax(value) {
    if (!(value > 0)) return 1;
    const magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    const steps = [1, 2, 2.5, 5, 10];
    for (let i = 0; i < steps.length; i++) {
      const step = /** @type {number} */ (steps[i]);
      if (step * magnitude >= value) return step * magnitude;
    }
    return 10 * magnitude;
  }
  /** Draws series ([{key, color}]) of points on svg; a null value leaves a gap. */
  /** @param {any} svg @param {any} series */ function drawChart(svg, series) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const W = 600, H = 200, left = 44, right = 8, top = 8, bottom = 20;
    let plotted = 0, max = 0;
    points.forEach(/** @param {any} p */ function (p) {
      series.forEach(/** @param {any} s */ function (s) {
        const v = p[s.key];
        if (v !== null && v > max) max = v;
      });
      if (p[series[0].key] !== null) plotted++;
    });
    svg.setAttribute("data-points", String(plotted));
    max = niceMax(max);
    for (let g = 0; g <= 4; g++) {
      const gy = top + (H - top - bottom) * (1 - g / 4);
      svgNode(svg, "line", { x1: left, x2: W - right, y1: gy, y2: gy, "class": "grid-line" });
      svgNode(svg, "text", { x: left - 4, y: gy + 3, "text-anchor": "end" }, fmtRate(max * g / 4));
    }
    if (points.length === 0) {
      svgNode(svg, "text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "waiting for data…");
      return;
    }
    const t0 = points[0].at, t1 = points[points.length - 1].at;
    const span = Math.max(t1 - t0, 1);
    const gap = 2.5 * (feedIntervalMs || 1000);
    /** @param {any} t */ function x(t) {
      return left + (W - left - right) * (points.length === 1 ? 1 : (t - t0) / span);
    }
    /** @param {any} v */ function y(v) {
      return top + (H - top - bottom) * (1 - v / max);
    }
    svgNode(svg, "text", { x: left, y: H - 5, "text-anchor": "start" }, fmtTime(t0));
    svgNode(svg, "text", { x: W - right, y: H - 5, "text-anchor": "end" }, fmtTime(t1));
    series.forEach(/** @param {any} s */ function (s) {
      /** @type {any} */
      let previousAt = null;
      let d = "";
      points.forEach(/** @param {any} p */ function (p) {
        const v = p[s.key];
        if (v === null) {
          previousAt = null;
          return;
        }
        const joined = previousAt !== null && p.at - previousAt <= gap;
        d += (joined ? " L" : " M") + x(p.at).toFixed(1) + " " + y(v).toFixed(1);
        previousAt = p.at;
      });
      if (d) svgNode(svg, "path", { d: d.trim(), stroke: s.color, "class": "series", "data-series": s.key });
      if (points.length === 1 && points[0][s.key] !== null) {
        svgNode(svg, "circle", { cx: x(t0), cy: y(points[0][s.key]), r: 2.5, fill: s.color });
      }
    });
  }

  /** @param {any} p */ function renderPoint(p) {
    setText("events-in-rate", fmtRate(p.receivedPerSecond), p.receivedPerSecond);
    setText("events-acked-rate", fmtRate(p.ackedPerSecond), p.ackedPerSecond);
    setText("events-received-total", fmtCount(p.received), p.received);
    setText("events-acked-total", fmtCount(p.acked), p.acked);
    setText("latency-p50", fmtMs(p.p50Ms), p.p50Ms === null ? "" : p.p50Ms);
    setText("latency-p99", fmtMs(p.p99Ms), p.p99Ms === null ? "" : p.p99Ms);
    setText("open-connections", fmtCount(p.connections), p.connections);
    setText("in-flight", fmtCount(p.inFlight), p.inFlight);
    setText("updated-at", fmtTime(p.at));
    const body = $("rejects");
    body.replaceChildren();
    p.rejects.forEach(/** @param {any} r */ function (r) {
      const row = document.createElement("tr");
      row.setAttribute("data-testid", "reject-row");
      row.setAttribute("data-code", r.code);
      cell(row, r.code);
      cell(row, fmtCount(r.total), "num");
      cell(row, fmtRate(r.perSecond), "num");
      body.appendChild(row);
    });
    if (p.rejects.length === 0) emptyRow(body, 3, "no rejects");
  }
  function renderCharts() {
    drawChart($("throughput-chart"), [
      { key: "receivedPerSecond", color: colors["in"] },
      { key: "ackedPerSecond", color: colors.acked },
    ]);
    drawChart($("latency-chart"), [{ key: "p50Ms", color: colors.p50 }, { key: "p99Ms", color: colors.p99 }]);
  }

  dom.on("snapshot", /** @param {any} s */ function (s) {
    $("edge-id").textContent = s.edgeId;
    feedIntervalMs = s.intervalMs;
    points = s.points.slice(-MAX_POINTS);
    if (points.length > 0) renderPoint(points[points.length - 1]);
    renderCharts();
  });
  dom.on("point", /** @param {any} p */ function (p) {
    points.push(p);
    if (points.length > MAX_POINTS) points.splice(0, points.length - MAX_POINTS);
    renderPoint(p);
    renderCharts();
  });
})();
