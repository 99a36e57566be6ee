/**
 * The dashboard's dry-run panel: the last `POST /v1/routes:dry-run` answered on this edge, one
 * row per event type that would change, with its traffic and share. Markup and the script part
 * that fills it from the feed's `dry-run` event; rows carry `data-testid` `dry-run-row`.
 *
 * @module
 */

/** The panel's markup. */
export const DRY_RUN_PANEL_HTML =
  `<section class="card"><h2>Last dry run <span class="muted" id="dry-run-summary">none yet</span></h2>
  <table><thead><tr><th>Change</th><th>Type</th><th class="num">Events /min</th><th class="num">Share</th><th>What</th></tr></thead>
  <tbody id="dry-run" data-testid="dry-run-table"></tbody></table>
</section>`;

/** The script part: runs inside the page's script, which defines `$`, `cell`, `emptyRow`, `parse` and `source`. */
export const DRY_RUN_PANEL_SCRIPT = `  function renderDryRun(d) {
    var body = $("dry-run");
    body.replaceChildren();
    function pct(x) { return (x * 100).toFixed(1) + "%"; }
    function add(change, f, what) {
      var row = document.createElement("tr");
      row.dataset.testid = "dry-run-row";
      cell(row, change); cell(row, f.type); cell(row, f.perMinute.toFixed(1), "num"); cell(row, pct(f.share), "num");
      cell(row, what);
      body.appendChild(row);
    }
    function arrow(f) { return (f.before.join(", ") || "(rejected)") + " → " + (f.after.join(", ") || "NO_ROUTE"); }
    d.newlyNoRoute.forEach(function (f) { add("NO_ROUTE", f, arrow(f)); });
    d.newlyDeadLettered.forEach(function (f) { add("dead letter", f, arrow(f)); });
    d.schemas.forEach(function (f) {
      add("schema", f, pct(f.failShare) + " of " + f.sampled + " samples fail " + f.schema + " (" + f.action + ")" +
        (f.example ? ", e.g. " + f.example.pointer + " " + f.example.keyword : ""));
    });
    d.changes.forEach(function (f) { add("reroute", f, arrow(f)); });
    if (!body.firstChild) emptyRow(body, 5, "nothing in the recent traffic would change");
    $("dry-run-summary").textContent = "version " + d.currentVersion + " → " + d.candidateVersion + " at " +
      new Date(d.at).toLocaleTimeString() + ", over " + d.window.events + " events";
  }
  source.addEventListener("dry-run", function (event) {
    var d = parse(event);
    if (d) renderDryRun(d);
  });
`;
