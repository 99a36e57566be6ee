/*
 * The dashboard's Tenants section (`dashboard_tenants_panel.ts`), browser side: drawn from the
 * feed's `tenants` event (see `dashboard_feed_script.js`), one row per tenant, quota beside use and
 * its ack p99 over the last 10 s, the tenants over their quota highlighted. Values go into the DOM
 * as text or attributes only. Type-checked with `browser.deno.json`.
 */
"use strict";
(function () {
  /** @param {number} value */ function number(value) {
    return value.toLocaleString(undefined, { maximumFractionDigits: 1 });
  }
  /** @param {number | null} quota */ function limit(quota) {
    return quota === null ? "no limit" : number(quota);
  }
  /**
   * @param {HTMLElement} row @param {string} field @param {string} text @param {unknown} value
   * @param {number | null} [quota] absent: the field has no quota
   */
  function cell(row, field, text, value, quota) {
    const td = document.createElement("td");
    td.textContent = text;
    td.dataset.field = field;
    td.dataset.value = String(value);
    if (quota !== undefined) td.dataset.quota = quota === null ? "" : String(quota);
    if (field !== "prefix") td.className = "num";
    row.appendChild(td);
  }

  /** @param {any} message `{at, tenants}` */ function render(message) {
    const body = document.getElementById("tenants");
    const summary = document.getElementById("tenants-summary");
    if (body === null || summary === null) return;
    body.replaceChildren();
    /** @type {string[]} */
    const over = [];
    message.tenants.forEach(/** @param {any} t */ function (t) {
      const row = document.createElement("tr");
      row.dataset.testid = "tenant-row";
      row.dataset.tenant = t.name;
      row.dataset.over = String(t.overQuota);
      if (t.overQuota) {
        row.className = "over";
        over.push(t.name);
      }
      const name = document.createElement("td");
      name.textContent = t.overQuota ? t.name + " · over quota" : t.name;
      row.appendChild(name);
      const q = t.quota;
      cell(
        row,
        "connections",
        number(t.connections) + " / " + limit(q.maxConnections),
        t.connections,
        q.maxConnections,
      );
      cell(
        row,
        "admitted",
        number(t.admittedPerSecond) + " / " + limit(q.eventsPerSecond),
        t.admittedPerSecond,
        q.eventsPerSecond,
      );
      cell(row, "refused", number(t.refusedPerSecond), t.refusedPerSecond);
      cell(
        row,
        "bytes",
        number(t.bytesPerSecond) + " / " + limit(q.bytesPerSecond),
        t.bytesPerSecond,
        q.bytesPerSecond,
      );
      cell(
        row,
        "ack-p99",
        t.ackP99Ms === null ? "–" : number(t.ackP99Ms) + " ms",
        t.ackP99Ms === null ? "" : t.ackP99Ms,
      );
      cell(row, "prefix", q.topicPrefix || "–", q.topicPrefix);
      body.appendChild(row);
    });
    const listed = message.tenants.length - 1;
    summary.textContent = "· " + (listed === 0 ? "none listed, everyone is other" : listed + " listed + other") +
      (over.length === 0 ? ", none over quota" : ", over quota now: " + over.join(", "));
  }

  const dom = /** @type {import("./dashboard_dom_script.js").Dom} */ (Reflect.get(globalThis, "veltrixDashboard"));
  dom.on("tenants", render);
})();
