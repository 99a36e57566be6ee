/**
 * The dashboard's fleet panel: every edge the fleet status topic shows, live or gone, with the
 * route-map version in force, the canary beside it and its cohort, and the last refusal; then the
 * per-version counts of events routed, rejected and dead-lettered, summed over the live edges, so
 * that an operator compares the stable map and the canary side by side. Markup and the script part that fills it from
 * the feed's `fleet` event; `dashboard_page.ts` puts them in place. Rows carry `data-testid`
 * `fleet-row` and `data-edge`; count rows `version-count-row` and `data-version`.
 *
 * @module
 */

/** The panel's markup. */
export const FLEET_PANEL_HTML = `<section class="card"><h2>Fleet <span class="muted" id="fleet-summary"></span></h2>
  <table><thead><tr><th>Edge</th><th>State</th><th>Version</th><th>Canary</th><th>Applied at</th><th>From</th><th>Last refused</th></tr></thead>
  <tbody id="fleet" data-testid="fleet-table"></tbody></table>
  <h2>Per-version counts (live edges)</h2>
  <table><thead><tr><th>Version</th><th>Role</th><th class="num">Routed</th><th class="num">Rejected</th>
    <th class="num">Dead-lettered</th></tr></thead>
  <tbody id="version-counts" data-testid="version-counts-table"></tbody></table>
</section>`;

/** The script part: runs inside the page's script, which defines `$`, `cell`, `emptyRow` and `source`. */
export const FLEET_PANEL_SCRIPT = `  function renderFleet(f) {
    var body = $("fleet");
    body.replaceChildren();
    [["live", f.live], ["gone", f.gone]].forEach(function (group) {
      group[1].forEach(function (e) {
        var row = document.createElement("tr");
        row.dataset.testid = "fleet-row";
        row.dataset.edge = e.edgeId;
        var canary = e.canary ? e.canary.version + " (" + e.canary.cohort + ")" : "–";
        [e.edgeId, group[0], e.version, canary, new Date(e.appliedAt).toLocaleTimeString(), e.source].forEach(function (t) { cell(row, t); });
        cell(row, e.refused ? "v" + e.refused.version + " " + e.refused.code + ": " + e.refused.reason : "–");
        body.appendChild(row);
      });
    });
    if (f.live.length + f.gone.length === 0) emptyRow(body, 7, "no edge status yet");
    var totals = {};
    f.live.forEach(function (e) {
      (e.counts || []).forEach(function (c) {
        var key = c.version + " " + c.role;
        var t = totals[key] || (totals[key] = { version: c.version, role: c.role, routed: 0, rejected: 0, deadLettered: 0 });
        t.routed += c.routed;
        t.rejected += c.rejected;
        t.deadLettered += c.deadLettered;
      });
    });
    var counts = $("version-counts");
    counts.replaceChildren();
    Object.keys(totals).forEach(function (key) {
      var t = totals[key];
      var row = document.createElement("tr");
      row.dataset.testid = "version-count-row";
      row.dataset.version = t.version;
      cell(row, "v" + t.version);
      cell(row, t.role);
      [t.routed, t.rejected, t.deadLettered].forEach(function (n) { cell(row, String(n), "num"); });
      counts.appendChild(row);
    });
    if (Object.keys(totals).length === 0) emptyRow(counts, 5, "no counts yet");
    $("fleet-summary").textContent = f.live.length + " live, " + f.gone.length + " gone";
  }
  source.addEventListener("fleet", function (event) {
    var f = parse(event);
    if (f) renderFleet(f);
  });
`;
