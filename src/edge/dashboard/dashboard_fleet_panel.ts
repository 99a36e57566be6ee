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
