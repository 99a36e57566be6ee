/*
 * The dashboard's route map, browser side: the version in force, who signed it, the canary, the
 * dead-letter topic, the routes and the version history, drawn from the feed's `routes` event
 * (see `dashboard_feed_script.js`). Type-checked with `browser.deno.json`.
 */
"use strict";
(function () {
  const dom = /** @type {import("./dashboard_dom_script.js").Dom} */ (Reflect.get(globalThis, "veltrixDashboard"));
  const { $, setText, fmtRate, fmtCount, cell, emptyRow } = dom;
  /** @param {any} r */ function renderRoutes(r) {
    setText("route-version", String(r.current.version), r.current.version);
    setText("route-signer", r.current.keyId || "embedded default");
    $("route-canary").textContent = r.canary ? "v" + r.canary.version + " for " + r.canary.cohort : "none";
    $("dead-letter").textContent = r.deadLetterTopic
      ? "· dead letter → " + r.deadLetterTopic
      : "· no dead letter (NO_ROUTE)";
    const routes = $("routes");
    routes.replaceChildren();
    r.routes.forEach(/** @param {any} route */ function (route) {
      const row = document.createElement("tr");
      row.setAttribute("data-testid", "route-row");
      row.setAttribute("data-route", route.name);
      cell(row, route.name);
      const match = cell(row, "");
      const code = document.createElement("code");
      code.textContent = route.match;
      match.appendChild(code);
      const targets = cell(row, "");
      route.targets.forEach(/** @param {any} t */ function (t) {
        const line = document.createElement("span");
        line.className = "target";
        line.textContent = t.topic + " · " + t.key + " · " + t.format;
        targets.appendChild(line);
      });
      routes.appendChild(row);
    });
    if (r.routes.length === 0) emptyRow(routes, 3, "no routes");
    const history = $("history");
    history.replaceChildren();
    r.history.forEach(/** @param {any} h */ function (h) {
      const row = document.createElement("tr");
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
  dom.on("routes", renderRoutes);
})();
