/*
 * The dashboard page's feed, browser side: the last of the page's scripts. It follows
 * `dashboard/events` (SSE, passing on the page's own `?token=`), shows the connection's state, and
 * passes on each message of the feed, parsed, as a `veltrix:<event>` event on the document
 * (`snapshot`, `point`, `routes`, `fleet`, `dry-run`, `tenants`), which the panels' scripts draw
 * from. Type-checked with `browser.deno.json`, as every script of the page is.
 */
"use strict";
(function () {
  const dom = /** @type {import("./dashboard_dom_script.js").Dom} */ (Reflect.get(globalThis, "veltrixDashboard"));
  /** @param {string} text @param {string} className */ function status(text, className) {
    const node = dom.$("status");
    node.textContent = text;
    node.className = "status " + className;
  }

  const token = new URLSearchParams(location.search).get("token");
  const source = new EventSource("dashboard/events" + (token ? "?token=" + encodeURIComponent(token) : ""));
  source.onopen = function () {
    status("live", "live");
  };
  source.onerror = function () {
    status(source.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…", "down");
  };
  ["snapshot", "point", "routes", "fleet", "dry-run", "tenants"].forEach(function (name) {
    source.addEventListener(name, function (event) {
      let data;
      try {
        data = JSON.parse(/** @type {MessageEvent} */ (event).data);
      } catch {
        return;
      }
      if (data) document.dispatchEvent(new CustomEvent("veltrix:" + name, { detail: data }));
    });
  });
})();
