/*
 * The dashboard page's shared DOM helpers, browser side: the first of the page's scripts
 * (`dashboard_page.ts` puts each under the CSP nonce). It publishes them as
 * `globalThis.veltrixDashboard`; each panel's script reads them from there, typed by `Dom` below,
 * and listens with `on` to the `veltrix:<event>` events `dashboard_feed_script.js` passes on from
 * the feed. Values go into the DOM as text or attributes only. Type-checked with `browser.deno.json`.
 */
"use strict";
const dashboardDom = (function () {
  /**
   * The element with `id`; every id the scripts name is in the page.
   * @param {string} id
   * @returns {HTMLElement}
   */
  function $(id) {
    const node = document.getElementById(id);
    if (node === null) throw new Error("the page has no #" + id);
    return node;
  }
  /** Sets an element's text and, given `raw`, its `data-value`. @param {string} id @param {string} text @param {unknown} [raw] */
  function setText(id, text, raw) {
    const node = $(id);
    node.textContent = text;
    if (raw !== undefined) node.setAttribute("data-value", String(raw));
  }
  /** A rate, to one decimal. @param {any} value */
  function fmtRate(value) {
    return value.toLocaleString(undefined, { maximumFractionDigits: 1 });
  }
  /** A count. @param {any} value */
  function fmtCount(value) {
    return value.toLocaleString();
  }
  /** Milliseconds, "–" for null. @param {any} value */
  function fmtMs(value) {
    return value === null ? "–" : value.toLocaleString(undefined, { maximumFractionDigits: 2 }) + " ms";
  }
  /** A time of day. @param {any} ms since the epoch */
  function fmtTime(ms) {
    return new Date(ms).toLocaleTimeString();
  }
  /** Appends a cell with `text` to `row`. @param {HTMLElement} row @param {string} text @param {string} [className] */
  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }
  /** Appends a row that says the table is empty. @param {HTMLElement} body @param {number} columns @param {string} text */
  function emptyRow(body, columns, text) {
    const row = document.createElement("tr");
    row.className = "empty";
    cell(row, text).colSpan = columns;
    body.appendChild(row);
  }
  /**
   * Calls `render` with each `event` of the feed (parsed JSON) the page script passes on.
   * @param {string} event @param {(data: any) => void} render
   */
  function on(event, render) {
    document.addEventListener("veltrix:" + event, function (e) {
      render(/** @type {CustomEvent} */ (e).detail);
    });
  }
  return Object.freeze({ $, setText, fmtRate, fmtCount, fmtMs, fmtTime, cell, emptyRow, on });
})();
/** The helpers' type, which the panels' scripts import by name in a JSDoc type. @typedef {typeof dashboardDom} Dom */
Object.defineProperty(globalThis, "veltrixDashboard", { value: dashboardDom });
