/**
 * The dashboard's Tenants section: one row per tenant the stable map in force lists, then
 * "other", with its quota beside what it uses now (connections, events admitted and refused over
 * its quota per second, frame bytes per second, ack p99 over the last 10 s) and its topic prefix. A tenant refused
 * over its quota in the last interval is highlighted. Markup only; `dashboard_tenants_script.js`
 * fills it from the feed's `tenants` event, and `dashboard_page.ts` puts both in place.
 *
 * Test hooks: rows `tenant-row` with `data-tenant` and `data-over` ("true" or "false"); their
 * cells `data-field` (`connections`, `admitted`, `refused`, `bytes`, `ack-p99`, `prefix`), the
 * value in `data-value` and the quota, where the field has one, in `data-quota` ("" for no limit);
 * the `ack-p99` cell also `data-kind` (`estimate`, `too-few`, `above`) and `data-samples`, the acks in its window.
 *
 * @module
 */

import { ACK_MIN_SAMPLES, ACK_WINDOW_MS } from "./dashboard_tenants.ts";

const SECONDS = ACK_WINDOW_MS / 1000;

/** The section's markup. */
export const TENANTS_PANEL_HTML = `<section class="card"><h2>Tenants
  <span class="muted" id="tenants-summary" data-testid="tenants-summary"></span></h2>
  <table><thead><tr><th>Tenant</th><th class="num">Connections / quota</th><th class="num">Admitted /s / quota</th>
    <th class="num">Refused /s</th><th class="num">Bytes /s / quota</th><th class="num"
    title="99th percentile of the time from a frame's arrival to its event's ack, over the tenant's acks of the last ${SECONDS} s, interpolated within its histogram bucket; n &lt; ${ACK_MIN_SAMPLES} when fewer were acked, — when none was measured">Ack p99, last ${SECONDS} s</th>
    <th>Topic prefix</th></tr></thead>
  <tbody id="tenants" data-testid="tenants-table"></tbody></table>
</section>`;
