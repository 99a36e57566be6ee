/**
 * The ops dashboard page: one self-contained HTML document (inline CSS and JS, no CDN, no
 * external fonts). Its script follows `dashboard/events` (SSE, see `dashboard_feed.ts`), passing
 * on the page's own `?token=`, and draws the charts as SVG by hand. Every value from the feed goes
 * into the DOM through `textContent` or an attribute, never as markup.
 *
 * Stable hooks for tests: `data-testid` on `events-in-rate`, `events-acked-rate`,
 * `events-received-total`, `events-acked-total`, `latency-p50`, `latency-p99`, `open-connections`,
 * `in-flight`, `route-version`, `status`, `throughput-chart` and `latency-chart` (with
 * `data-points`), and rows `reject-row` (`data-code`), `route-row` (`data-route`) and
 * `history-row` (`data-version`). Numeric tiles carry their raw value in `data-value`.
 *
 * @module
 */
import { FLEET_PANEL_HTML, FLEET_PANEL_SCRIPT } from "./dashboard_fleet_panel.ts";
import { DRY_RUN_PANEL_HTML, DRY_RUN_PANEL_SCRIPT } from "./dashboard_dry_run_panel.ts";

/** The dashboard HTML; `nonce` must match the `script-src`/`style-src` nonce of the page's CSP. */
export function dashboardPage(nonce: string): string {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error("nonce must be base64");
  return PAGE.replaceAll("__NONCE__", nonce);
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Veltrix edge dashboard</title>
<style nonce="__NONCE__">
  :root { color-scheme: light dark; --bg: #f6f7f9; --card: #fff; --fg: #1c2330; --muted: #6b7585; --line: #e2e6ec;
    --in: #2f6fde; --acked: #1f9d63; --p50: #2f6fde; --p99: #d9822b; --bad: #c93c3c; }
  @media (prefers-color-scheme: dark) {
    :root { --bg: #12161c; --card: #1b2029; --fg: #e6e9ee; --muted: #8d96a5; --line: #2c333e; }
  }
  * { box-sizing: border-box; }
  body { margin: 0; padding: 16px 20px 32px; background: var(--bg); color: var(--fg);
    font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 8px 20px; margin-bottom: 14px; }
  h1 { font-size: 18px; margin: 0; }
  h2 { font-size: 13px; margin: 0 0 8px; color: var(--muted); font-weight: 600; text-transform: uppercase;
    letter-spacing: .04em; }
  .muted { color: var(--muted); }
  .status { padding: 1px 8px; border-radius: 10px; background: var(--line); font-size: 12px; }
  .status.live { background: var(--acked); color: #fff; }
  .status.down { background: var(--bad); color: #fff; }
  .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin-bottom: 10px; }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
  .tile .value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
  .tile .sub { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 10px; margin-bottom: 10px; }
  svg.chart { width: 100%; height: 200px; display: block; }
  svg.chart text { fill: var(--muted); font-size: 10px; }
  svg.chart .grid-line { stroke: var(--line); stroke-width: 1; }
  svg.chart .series { fill: none; stroke-width: 1.8; stroke-linejoin: round; }
  .legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin-top: 4px; }
  .swatch { display: inline-block; width: 10px; height: 3px; vertical-align: middle; margin-right: 4px; }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-size: 12px; color: var(--muted); font-weight: 600; }
  td.num, th.num { text-align: right; }
  code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
  .target { display: block; }
  .empty td { color: var(--muted); font-style: italic; }
</style>
</head>
<body>
<header>
  <h1>Veltrix edge <span id="edge-id" data-testid="edge-id" class="muted"></span></h1>
  <span id="status" data-testid="status" class="status">connecting…</span>
  <span class="muted">updated <span id="updated-at" data-testid="updated-at">never</span></span>
</header>

<section class="tiles">
  <div class="card tile"><h2>Events in /s</h2>
    <div class="value" id="events-in-rate" data-testid="events-in-rate">–</div>
    <div class="sub">total <span id="events-received-total" data-testid="events-received-total">–</span></div></div>
  <div class="card tile"><h2>Acked /s</h2>
    <div class="value" id="events-acked-rate" data-testid="events-acked-rate">–</div>
    <div class="sub">total <span id="events-acked-total" data-testid="events-acked-total">–</span></div></div>
  <div class="card tile"><h2>Ack latency p99</h2>
    <div class="value" id="latency-p99" data-testid="latency-p99">–</div>
    <div class="sub">p50 <span id="latency-p50" data-testid="latency-p50">–</span></div></div>
  <div class="card tile"><h2>Open connections</h2>
    <div class="value" id="open-connections" data-testid="open-connections">–</div>
    <div class="sub">in flight <span id="in-flight" data-testid="in-flight">–</span> events</div></div>
  <div class="card tile"><h2>Route map</h2>
    <div class="value">v<span id="route-version" data-testid="route-version">–</span></div>
    <div class="sub">signed by <span id="route-signer" data-testid="route-signer">–</span></div>
    <div class="sub">canary <span id="route-canary" data-testid="route-canary">none</span></div></div>
</section>

<section class="grid">
  <div class="card"><h2>Events per second</h2>
    <svg id="throughput-chart" data-testid="throughput-chart" class="chart" viewBox="0 0 600 200"
      preserveAspectRatio="none" role="img" aria-label="events in and acked per second" data-points="0"></svg>
    <div class="legend"><span><i class="swatch sw-in"></i>in</span><span><i class="swatch sw-acked"></i>acked</span></div>
  </div>
  <div class="card"><h2>Ack latency (ms)</h2>
    <svg id="latency-chart" data-testid="latency-chart" class="chart" viewBox="0 0 600 200"
      preserveAspectRatio="none" role="img" aria-label="ack latency p50 and p99 in ms" data-points="0"></svg>
    <div class="legend"><span><i class="swatch sw-p50"></i>p50</span><span><i class="swatch sw-p99"></i>p99</span></div>
  </div>
</section>

<section class="grid">
  <div class="card"><h2>Rejects by code</h2>
    <table><thead><tr><th>Code</th><th class="num">Total</th><th class="num">Per second</th></tr></thead>
    <tbody id="rejects" data-testid="rejects-table"></tbody></table></div>
  <div class="card"><h2>Version history</h2>
    <table><thead><tr><th>Version</th><th>Signed by</th><th>Source</th><th>Applied at</th><th class="num">Routes</th>
      <th class="num">Apply ms</th></tr></thead>
    <tbody id="history" data-testid="history-table"></tbody></table></div>
</section>

<section class="card"><h2>Route map in force <span class="muted" id="dead-letter" data-testid="dead-letter"></span></h2>
  <table><thead><tr><th>Route</th><th>Match</th><th>Targets (topic · key · format)</th></tr></thead>
  <tbody id="routes" data-testid="route-table"></tbody></table>
</section>
${FLEET_PANEL_HTML}
${DRY_RUN_PANEL_HTML}

<script nonce="__NONCE__">
"use strict";
(function () {
  var SVG = "http://www.w3.org/2000/svg";
  var MAX_POINTS = 300;
  var points = [];
  var feedIntervalMs = 1000;
  var colors = {};
  var rootStyle = getComputedStyle(document.documentElement);
  ["in", "acked", "p50", "p99"].forEach(function (name) {
    colors[name] = rootStyle.getPropertyValue("--" + name).trim();
    var swatch = document.querySelector(".sw-" + name);
    if (swatch) swatch.style.background = colors[name];
  });

  function $(id) { return document.getElementById(id); }
  function setText(id, text, raw) {
    var node = $(id);
    node.textContent = text;
    if (raw !== undefined) node.setAttribute("data-value", String(raw));
  }
  function fmtRate(value) { return value.toLocaleString(undefined, { maximumFractionDigits: 1 }); }
  function fmtCount(value) { return value.toLocaleString(); }
  function fmtMs(value) { return value === null ? "–" : value.toLocaleString(undefined, { maximumFractionDigits: 2 }) + " ms"; }
  function fmtTime(ms) { return new Date(ms).toLocaleTimeString(); }
  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }
  function emptyRow(body, columns, text) {
    var row = document.createElement("tr");
    row.className = "empty";
    cell(row, text).colSpan = columns;
    body.appendChild(row);
  }

  function svgNode(parent, name, attributes, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, String(attributes[key])); });
    if (text !== undefined) node.textContent = text;
    parent.appendChild(node);
    return node;
  }
  function niceMax(value) {
    if (!(value > 0)) return 1;
    var magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * magnitude >= value) return steps[i] * magnitude;
    return 10 * magnitude;
  }
  /** Draws series ([{key, color}]) of points on svg; a null value leaves a gap. */
  function drawChart(svg, series) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var W = 600, H = 200, left = 44, right = 8, top = 8, bottom = 20;
    var plotted = 0, max = 0;
    points.forEach(function (p) {
      series.forEach(function (s) { var v = p[s.key]; if (v !== null && v > max) max = v; });
      if (p[series[0].key] !== null) plotted++;
    });
    svg.setAttribute("data-points", String(plotted));
    max = niceMax(max);
    for (var g = 0; g <= 4; g++) {
      var gy = top + (H - top - bottom) * (1 - g / 4);
      svgNode(svg, "line", { x1: left, x2: W - right, y1: gy, y2: gy, "class": "grid-line" });
      svgNode(svg, "text", { x: left - 4, y: gy + 3, "text-anchor": "end" }, fmtRate(max * g / 4));
    }
    if (points.length === 0) {
      svgNode(svg, "text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "waiting for data…");
      return;
    }
    var t0 = points[0].at, t1 = points[points.length - 1].at;
    var span = Math.max(t1 - t0, 1);
    var gap = 2.5 * (feedIntervalMs || 1000);
    function x(t) { return left + (W - left - right) * (points.length === 1 ? 1 : (t - t0) / span); }
    function y(v) { return top + (H - top - bottom) * (1 - v / max); }
    svgNode(svg, "text", { x: left, y: H - 5, "text-anchor": "start" }, fmtTime(t0));
    svgNode(svg, "text", { x: W - right, y: H - 5, "text-anchor": "end" }, fmtTime(t1));
    series.forEach(function (s) {
      var d = "", previousAt = null;
      points.forEach(function (p) {
        var v = p[s.key];
        if (v === null) { previousAt = null; return; }
        var joined = previousAt !== null && p.at - previousAt <= gap;
        d += (joined ? " L" : " M") + x(p.at).toFixed(1) + " " + y(v).toFixed(1);
        previousAt = p.at;
      });
      if (d) svgNode(svg, "path", { d: d.trim(), stroke: s.color, "class": "series", "data-series": s.key });
      if (points.length === 1 && points[0][s.key] !== null) {
        svgNode(svg, "circle", { cx: x(t0), cy: y(points[0][s.key]), r: 2.5, fill: s.color });
      }
    });
  }

  function renderPoint(p) {
    setText("events-in-rate", fmtRate(p.receivedPerSecond), p.receivedPerSecond);
    setText("events-acked-rate", fmtRate(p.ackedPerSecond), p.ackedPerSecond);
    setText("events-received-total", fmtCount(p.received), p.received);
    setText("events-acked-total", fmtCount(p.acked), p.acked);
    setText("latency-p50", fmtMs(p.p50Ms), p.p50Ms === null ? "" : p.p50Ms);
    setText("latency-p99", fmtMs(p.p99Ms), p.p99Ms === null ? "" : p.p99Ms);
    setText("open-connections", fmtCount(p.connections), p.connections);
    setText("in-flight", fmtCount(p.inFlight), p.inFlight);
    setText("updated-at", fmtTime(p.at));
    var body = $("rejects");
    body.replaceChildren();
    p.rejects.forEach(function (r) {
      var row = document.createElement("tr");
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
  function renderRoutes(r) {
    setText("route-version", String(r.current.version), r.current.version);
    setText("route-signer", r.current.keyId || "embedded default");
    $("route-canary").textContent = r.canary ? "v" + r.canary.version + " for " + r.canary.cohort : "none";
    $("dead-letter").textContent = r.deadLetterTopic ? "· dead letter → " + r.deadLetterTopic : "· no dead letter (NO_ROUTE)";
    var routes = $("routes");
    routes.replaceChildren();
    r.routes.forEach(function (route) {
      var row = document.createElement("tr");
      row.setAttribute("data-testid", "route-row");
      row.setAttribute("data-route", route.name);
      cell(row, route.name);
      var match = cell(row, "");
      var code = document.createElement("code");
      code.textContent = route.match;
      match.appendChild(code);
      var targets = cell(row, "");
      route.targets.forEach(function (t) {
        var line = document.createElement("span");
        line.className = "target";
        line.textContent = t.topic + " · " + t.key + " · " + t.format;
        targets.appendChild(line);
      });
      routes.appendChild(row);
    });
    if (r.routes.length === 0) emptyRow(routes, 3, "no routes");
    var history = $("history");
    history.replaceChildren();
    r.history.forEach(function (h) {
      var row = document.createElement("tr");
      row.setAttribute("data-testid", "history-row");
      row.setAttribute("data-version", String(h.version));
      cell(row, String(h.version));
      cell(row, h.keyId || "embedded default");
      cell(row, h.source);
      cell(row, new Date(h.appliedAt).toLocaleString()).title = h.appliedAt;
      cell(row, fmtCount(h.routes), "num");
      cell(row, fmtRate(h.applyMs), "num");
      history.appendChild(row);
    });
  }
  function status(text, className) {
    var node = $("status");
    node.textContent = text;
    node.className = "status " + className;
  }
  function parse(event) {
    try { return JSON.parse(event.data); } catch (error) { return undefined; }
  }

  var token = new URLSearchParams(location.search).get("token");
  var source = new EventSource("dashboard/events" + (token ? "?token=" + encodeURIComponent(token) : ""));
  source.onopen = function () { status("live", "live"); };
  source.onerror = function () {
    status(source.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…", "down");
  };
  source.addEventListener("snapshot", function (event) {
    var s = parse(event);
    if (!s) return;
    $("edge-id").textContent = s.edgeId;
    feedIntervalMs = s.intervalMs;
    points = s.points.slice(-MAX_POINTS);
    if (points.length > 0) renderPoint(points[points.length - 1]);
    renderCharts();
  });
  source.addEventListener("point", function (event) {
    var p = parse(event);
    if (!p) return;
    points.push(p);
    if (points.length > MAX_POINTS) points.splice(0, points.length - MAX_POINTS);
    renderPoint(p);
    renderCharts();
  });
  source.addEventListener("routes", function (event) {
    var r = parse(event);
    if (r) renderRoutes(r);
  });
${FLEET_PANEL_SCRIPT}${DRY_RUN_PANEL_SCRIPT}})();
</script>
</body>
</html>
`;
