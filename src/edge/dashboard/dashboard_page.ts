/**
 * The ops dashboard page: one self-contained HTML document (inline CSS and JS, no CDN, no
 * external fonts; the JS is the `*_script.js` browser scripts beside this file, see `PAGE_SCRIPTS`).
 * `dashboard_feed_script.js` follows `dashboard/events` (SSE, see `dashboard_feed.ts`), passing on
 * the page's own `?token=`, and each panel's script draws its part (the charts as SVG by hand).
 * Every value from the feed goes into the DOM through `textContent` or an attribute, never as markup.
 *
 * Stable hooks for tests: `data-testid` on `events-in-rate`, `events-acked-rate`,
 * `events-received-total`, `events-acked-total`, `latency-p50`, `latency-p99`, `open-connections`,
 * `in-flight`, `route-version`, `status`, `throughput-chart` and `latency-chart` (with
 * `data-points`), and rows `reject-row` (`data-code`), `route-row` (`data-route`) and
 * `history-row` (`data-version`). Numeric tiles carry their raw value in `data-value`. The Tenants
 * section's hooks are in `dashboard_tenants_panel.ts`.
 *
 * @module
 */
import { FLEET_PANEL_HTML } from "./dashboard_fleet_panel.ts";
import { DRY_RUN_PANEL_HTML } from "./dashboard_dry_run_panel.ts";
import { TENANTS_PANEL_HTML } from "./dashboard_tenants_panel.ts";

/**
 * The page's scripts, in the order they run, each inlined in a `<script>` of its own under the
 * CSP nonce: browser scripts that `deno lint` covers and `deno task check` type-checks against the
 * DOM types (`browser.deno.json`). The shared helpers come first, the panels next (each listens
 * for its `veltrix:<event>`), and the feed last, once every panel listens.
 */
const PAGE_SCRIPTS = [
  "dashboard_dom_script.js",
  "dashboard_overview_script.js",
  "dashboard_routes_script.js",
  "dashboard_fleet_script.js",
  "dashboard_dry_run_script.js",
  "dashboard_tenants_script.js",
  "dashboard_feed_script.js",
].map((file) => Deno.readTextFileSync(new URL(`./${file}`, import.meta.url)));

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
  tr.over td { background: rgba(201, 60, 60, .14); }
  tr.over td:first-child { color: var(--bad); font-weight: 600; }
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

${TENANTS_PANEL_HTML}

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

${PAGE_SCRIPTS.map((script) => `<script nonce="__NONCE__">\n${script}</script>`).join("\n")}
</body>
</html>
`;
