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

  /**
   * The ack p99 cell: the estimate in ms, "> bound" past the last bucket, "n < 20" with too few
   * acks in the window, "—" with none; the tooltip says which and over how many acks.
   * @param {HTMLElement} row @param {any} p99 `{kind, ms?, samples, minimum?}` @param {number} seconds
   */
  function ackCell(row, p99, seconds) {
    const span = "in the last " + seconds + " s";
    /** @type {[string, unknown, string]} */
    let shown;
    if (p99.kind === "estimate") {
      shown = [
        number(p99.ms) + " ms",
        p99.ms,
        "p99 of " + p99.samples + " acks " + span + ", interpolated in its bucket",
      ];
    } else if (p99.kind === "above") {
      shown = [
        "> " + number(p99.ms) + " ms",
        "",
        "p99 past the last bucket bound, over " + p99.samples + " acks " + span,
      ];
    } else if (p99.samples === 0) {
      shown = ["—", "", "no acks measured " + span + " (an edge without a tenant claim measures none per tenant)"];
    } else {
      shown = ["n < " + p99.minimum, "", "only " + p99.samples + " acks " + span + ": too few for a p99"];
    }
    cell(row, "ack-p99", shown[0], shown[1]);
    const td = /** @type {HTMLElement} */ (row.lastElementChild);
    td.title = shown[2];
    td.dataset.samples = String(p99.samples);
    td.dataset.kind = p99.kind;
  }

  /** @param {any} message `{at, ackWindowSeconds, tenants}` */ function render(message) {
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
      ackCell(row, t.ackP99, message.ackWindowSeconds);
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
