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
