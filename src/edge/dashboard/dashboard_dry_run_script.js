/*
 * The dashboard's dry-run panel (`dashboard_dry_run_panel.ts`), browser side: one row per event
 * type the last dry run says would change, drawn from the feed's `dry-run` event (see
 * `dashboard_feed_script.js`). Type-checked with `browser.deno.json`.
 */
"use strict";
(function () {
  const dom = /** @type {import("./dashboard_dom_script.js").Dom} */ (Reflect.get(globalThis, "veltrixDashboard"));
  const { $, cell, emptyRow } = dom;
  /** @param {any} d */ function renderDryRun(d) {
    const body = $("dry-run");
    body.replaceChildren();
    /** @param {any} x */ function pct(x) {
      return (x * 100).toFixed(1) + "%";
    }
    /** @param {any} change @param {any} f @param {any} what */ function add(change, f, what) {
      const row = document.createElement("tr");
      row.dataset.testid = "dry-run-row";
      cell(row, change);
      cell(row, f.type);
      cell(row, f.perMinute.toFixed(1), "num");
      cell(row, pct(f.share), "num");
      cell(row, what);
      body.appendChild(row);
    }
    /** @param {any} f */ function arrow(f) {
      return (f.before.join(", ") || "(rejected)") + " → " + (f.after.join(", ") || "NO_ROUTE");
    }
    d.newlyNoRoute.forEach(/** @param {any} f */ function (f) {
      add("NO_ROUTE", f, arrow(f));
    });
    d.newlyDeadLettered.forEach(/** @param {any} f */ function (f) {
      add("dead letter", f, arrow(f));
    });
    d.schemas.forEach(/** @param {any} f */ function (f) {
      add(
        "schema",
        f,
        pct(f.failShare) + " of " + f.sampled + " samples fail " + f.schema + " (" + f.action + ")" +
          (f.example ? ", e.g. " + f.example.pointer + " " + f.example.keyword : ""),
      );
    });
    d.changes.forEach(/** @param {any} f */ function (f) {
      add("reroute", f, arrow(f));
    });
    if (!body.firstChild) emptyRow(body, 5, "nothing in the recent traffic would change");
    $("dry-run-summary").textContent = "version " + d.currentVersion + " → " + d.candidateVersion + " at " +
      new Date(d.at).toLocaleTimeString() + ", over " + d.window.events + " events";
  }
  dom.on("dry-run", renderDryRun);
})();
