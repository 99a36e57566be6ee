/*
 * The dashboard page's script (`dashboard_page.ts` inlines it under the page's CSP nonce). Browser
 * code: `deno lint` covers it, and `deno task check` type-checks it against the DOM types with
 * `browser.deno.json` (strict, checkJs). It follows `dashboard/events` (SSE) and draws the tiles,
 * tables and SVG charts; every value from the feed goes into the DOM as text or an attribute.
 */
"use strict";
(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const MAX_POINTS = 300;
  /** @type {any[]} */
  let points = [];
  let feedIntervalMs = 1000;
  /** @type {Record<string, string>} */
  const colors = {};
  const rootStyle = getComputedStyle(document.documentElement);
  ["in", "acked", "p50", "p99"].forEach(/** @param {any} name */ function (name) {
    colors[name] = rootStyle.getPropertyValue("--" + name).trim();
    const swatch = /** @type {HTMLElement | null} */ (document.querySelector(".sw-" + name));
    if (swatch) swatch.style.background = colors[name];
  });

  /**
   * The element with `id`; every id the script names is in the page.
   * @param {string} id
   * @returns {HTMLElement}
   */
  function $(id) {
    const node = document.getElementById(id);
    if (node === null) throw new Error("the page has no #" + id);
    return node;
  }
  /** @param {string} id @param {string} text @param {unknown} [raw] */ function setText(id, text, raw) {
    const node = $(id);
    node.textContent = text;
    if (raw !== undefined) node.setAttribute("data-value", String(raw));
  }
  /** @param {any} value */ function fmtRate(value) {
    return value.toLocaleString(undefined, { maximumFractionDigits: 1 });
  }
  /** @param {any} value */ function fmtCount(value) {
    return value.toLocaleString();
  }
  /** @param {any} value */ function fmtMs(value) {
    return value === null ? "–" : value.toLocaleString(undefined, { maximumFractionDigits: 2 }) + " ms";
  }
  /** @param {any} ms */ function fmtTime(ms) {
    return new Date(ms).toLocaleTimeString();
  }
  /** @param {HTMLElement} row @param {string} text @param {string} [className] */ function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }
  /** @param {any} body @param {any} columns @param {any} text */ function emptyRow(body, columns, text) {
    const row = document.createElement("tr");
    row.className = "empty";
    cell(row, text).colSpan = columns;
    body.appendChild(row);
  }

  /** @param {Element} parent @param {string} name @param {Record<string, unknown>} attributes @param {string} [text] */ function svgNode(
    parent,
    name,
    attributes,
    text,
  ) {
    const node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(/** @param {any} key */ function (key) {
      node.setAttribute(key, String(attributes[key]));
    });
    if (text !== undefined) node.textContent = text;
    parent.appendChild(node);
    return node;
  }
  /** @param {any} value */ function niceMax(value) {
    if (!(value > 0)) return 1;
    const magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    const steps = [1, 2, 2.5, 5, 10];
    for (let i = 0; i < steps.length; i++) {
      const step = /** @type {number} */ (steps[i]);
      if (step * magnitude >= value) return step * magnitude;
    }
    return 10 * magnitude;
  }
  /** Draws series ([{key, color}]) of points on svg; a null value leaves a gap. */
  /** @param {any} svg @param {any} series */ function drawChart(svg, series) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const W = 600, H = 200, left = 44, right = 8, top = 8, bottom = 20;
    let plotted = 0, max = 0;
    points.forEach(/** @param {any} p */ function (p) {
      series.forEach(/** @param {any} s */ function (s) {
        const v = p[s.key];
        if (v !== null && v > max) max = v;
      });
      if (p[series[0].key] !== null) plotted++;
    });
    svg.setAttribute("data-points", String(plotted));
    max = niceMax(max);
    for (let g = 0; g <= 4; g++) {
      const gy = top + (H - top - bottom) * (1 - g / 4);
      svgNode(svg, "line", { x1: left, x2: W - right, y1: gy, y2: gy, "class": "grid-line" });
      svgNode(svg, "text", { x: left - 4, y: gy + 3, "text-anchor": "end" }, fmtRate(max * g / 4));
    }
    if (points.length === 0) {
      svgNode(svg, "text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "waiting for data…");
      return;
    }
    const t0 = points[0].at, t1 = points[points.length - 1].at;
    const span = Math.max(t1 - t0, 1);
    const gap = 2.5 * (feedIntervalMs || 1000);
    /** @param {any} t */ function x(t) {
      return left + (W - left - right) * (points.length === 1 ? 1 : (t - t0) / span);
    }
    /** @param {any} v */ function y(v) {
      return top + (H - top - bottom) * (1 - v / max);
    }
    svgNode(svg, "text", { x: left, y: H - 5, "text-anchor": "start" }, fmtTime(t0));
    svgNode(svg, "text", { x: W - right, y: H - 5, "text-anchor": "end" }, fmtTime(t1));
    series.forEach(/** @param {any} s */ function (s) {
      /** @type {any} */
      let previousAt = null;
      let d = "";
      points.forEach(/** @param {any} p */ function (p) {
        const v = p[s.key];
        if (v === null) {
          previousAt = null;
          return;
        }
        const joined = previousAt !== null && p.at - previousAt <= gap;
        d += (joined ? " L" : " M") + x(p.at).toFixed(1) + " " + y(v).toFixed(1);
        previousAt = p.at;
      });
      if (d) svgNode(svg, "path", { d: d.trim(), stroke: s.color, "class": "series", "data-series": s.key });
      if (points.length === 1 && points[0][s.key] !== null) {
        svgNode(svg, "circle", { cx: x(t0), cy: y(points[0][s.key]), r: 2.5, fill: s.color });
      }
    });
  }

  /** @param {any} p */ function renderPoint(p) {
    setText("events-in-rate", fmtRate(p.receivedPerSecond), p.receivedPerSecond);
    setText("events-acked-rate", fmtRate(p.ackedPerSecond), p.ackedPerSecond);
    setText("events-received-total", fmtCount(p.received), p.received);
    setText("events-acked-total", fmtCount(p.acked), p.acked);
    setText("latency-p50", fmtMs(p.p50Ms), p.p50Ms === null ? "" : p.p50Ms);
    setText("latency-p99", fmtMs(p.p99Ms), p.p99Ms === null ? "" : p.p99Ms);
    setText("open-connections", fmtCount(p.connections), p.connections);
    setText("in-flight", fmtCount(p.inFlight), p.inFlight);
    setText("updated-at", fmtTime(p.at));
    const body = $("rejects");
    body.replaceChildren();
    p.rejects.forEach(/** @param {any} r */ function (r) {
      const row = document.createElement("tr");
      row.setAttribute("data-testid", "reject-row");
      row.setAttribute("data-code", r.code);
      cell(row, r.code);
      cell(row, fmtCount(r.total), "num");
      cell(row, fmtRate(r.perSecond), "num");
      body.appendChild(row);
    });
    if (p.rejects.length === 0) emptyRow(body, 3, "no rejects");
  }
  function renderCharts() {
    drawChart($("throughput-chart"), [
      { key: "receivedPerSecond", color: colors["in"] },
      { key: "ackedPerSecond", color: colors.acked },
    ]);
    drawChart($("latency-chart"), [{ key: "p50Ms", color: colors.p50 }, { key: "p99Ms", color: colors.p99 }]);
  }
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
  /** @param {any} text @param {any} className */ function status(text, className) {
    const node = $("status");
    node.textContent = text;
    node.className = "status " + className;
  }
  /** @param {any} event */ function parse(event) {
    try {
      return JSON.parse(event.data);
    } catch {
      return undefined;
    }
  }

  const token = new URLSearchParams(location.search).get("token");
  const source = new EventSource("dashboard/events" + (token ? "?token=" + encodeURIComponent(token) : ""));
  source.onopen = function () {
    status("live", "live");
  };
  source.onerror = function () {
    status(source.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…", "down");
  };
  source.addEventListener("snapshot", /** @param {any} event */ function (event) {
    const s = parse(event);
    if (!s) return;
    $("edge-id").textContent = s.edgeId;
    feedIntervalMs = s.intervalMs;
    points = s.points.slice(-MAX_POINTS);
    if (points.length > 0) renderPoint(points[points.length - 1]);
    renderCharts();
  });
  source.addEventListener("point", /** @param {any} event */ function (event) {
    const p = parse(event);
    if (!p) return;
    points.push(p);
    if (points.length > MAX_POINTS) points.splice(0, points.length - MAX_POINTS);
    renderPoint(p);
    renderCharts();
  });
  source.addEventListener("routes", /** @param {any} event */ function (event) {
    const r = parse(event);
    if (r) renderRoutes(r);
  });
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
  source.addEventListener("fleet", /** @param {any} event */ function (event) {
    const f = parse(event);
    if (f) renderFleet(f);
  });
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
  // The Tenants section (dashboard_tenants_script.js) draws itself from this.
  source.addEventListener("tenants", /** @param {any} event */ function (event) {
    const t = parse(event);
    if (t) document.dispatchEvent(new CustomEvent("veltrix:tenants", { detail: t }));
  });
  source.addEventListener("dry-run", /** @param {any} event */ function (event) {
    const d = parse(event);
    if (d) renderDryRun(d);
  });
})();
