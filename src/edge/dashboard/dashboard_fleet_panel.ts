/**
 * The dashboard's fleet panel: every edge the fleet status topic shows, live or gone, with the
 * route-map version in force and the last refusal. Markup and the script part that fills it from
 * the feed's `fleet` event; `dashboard_page.ts` puts them in place. Rows carry `data-testid`
 * `fleet-row` and `data-edge`.
 *
 * @module
 */

/** The panel's markup. */
export const FLEET_PANEL_HTML = `<section class="card"><h2>Fleet <span class="muted" id="fleet-summary"></span></h2>
  <table><thead><tr><th>Edge</th><th>State</th><th>Version</th><th>Applied at</th><th>From</th><th>Last refused</th></tr></thead>
  <tbody id="fleet" data-testid="fleet-table"></tbody></table>
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
        [e.edgeId, group[0], e.version, new Date(e.appliedAt).toLocaleTimeString(), e.source].forEach(function (t) { cell(row, t); });
        cell(row, e.refused ? "v" + e.refused.version + " " + e.refused.code + ": " + e.refused.reason : "–");
        body.appendChild(row);
      });
    });
    if (f.live.length + f.gone.length === 0) emptyRow(body, 6, "no edge status yet");
    $("fleet-summary").textContent = f.live.length + " live, " + f.gone.length + " gone";
  }
  source.addEventListener("fleet", function (event) {
    var f = parse(event);
    if (f) renderFleet(f);
  });
`;
