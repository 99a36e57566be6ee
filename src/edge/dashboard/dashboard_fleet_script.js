/*
 * The dashboard's fleet panel (`dashboard_fleet_panel.ts`), browser side: every edge live or
 * gone with its version, canary and last refusal, then the per-version counts summed over the
 * live edges, drawn from the feed's `fleet` event (see `dashboard_feed_script.js`).
 * Type-checked with `browser.deno.json`.
 */
"use strict";
(function () {
  const dom = /** @type {import("./dashboard_dom_script.js").Dom} */ (Reflect.get(globalThis, "veltrixDashboard"));
  const { $, cell, emptyRow } = dom;
  /** @param {any} f */ function renderFleet(f) {
    const body = $("fleet");
    body.replaceChildren();
    [["live", f.live], ["gone", f.gone]].forEach(/** @param {any} group */ function (group) {
      group[1].forEach(/** @param {any} e */ function (e) {
        const row = document.createElement("tr");
        row.dataset.testid = "fleet-row";
        row.dataset.edge = e.edgeId;
        const canary = e.canary ? e.canary.version + " (" + e.canary.cohort + ")" : "–";
        [e.edgeId, group[0], e.version, canary, new Date(e.appliedAt).toLocaleTimeString(), e.source].forEach(
          /** @param {any} t */ function (t) {
            cell(row, t);
          },
        );
        cell(row, e.refused ? "v" + e.refused.version + " " + e.refused.code + ": " + e.refused.reason : "–");
        body.appendChild(row);
      });
    });
    if (f.live.length + f.gone.length === 0) emptyRow(body, 7, "no edge status yet");
    /** @type {Record<string, any>} */
    const totals = {};
    f.live.forEach(/** @param {any} e */ function (e) {
      (e.counts || []).forEach(/** @param {any} c */ function (c) {
        const key = c.version + " " + c.role;
        const t = totals[key] ||
          (totals[key] = { version: c.version, role: c.role, routed: 0, rejected: 0, deadLettered: 0 });
        t.routed += c.routed;
        t.rejected += c.rejected;
        t.deadLettered += c.deadLettered;
      });
    });
    const counts = $("version-counts");
    counts.replaceChildren();
    Object.keys(totals).forEach(/** @param {any} key */ function (key) {
      const t = totals[key];
      const row = document.createElement("tr");
      row.dataset.testid = "version-count-row";
      row.dataset.version = t.version;
      cell(row, "v" + t.version);
      cell(row, t.role);
      [t.routed, t.rejected, t.deadLettered].forEach(/** @param {any} n */ function (n) {
        cell(row, String(n), "num");
      });
      counts.appendChild(row);
    });
    if (Object.keys(totals).length === 0) emptyRow(counts, 5, "no counts yet");
    $("fleet-summary").textContent = f.live.length + " live, " + f.gone.length + " gone";
  }
  dom.on("fleet", renderFleet);
})();
