import assert from "node:assert/strict";
import { fitConnectionsToFileLimit, parseOpenFileLimit } from "./open_file_limit.ts";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                40000                files
Max locked memory         8388608              8388608              bytes
`;

Deno.test("parseOpenFileLimit() reads the soft limit of open files", () => {
  assert.equal(parseOpenFileLimit(LIMITS), 20000);
});

Deno.test("parseOpenFileLimit() gives undefined for an unlimited or missing limit", () => {
  assert.equal(parseOpenFileLimit(LIMITS.replace("20000  ", "unlimited")), undefined);
  assert.equal(parseOpenFileLimit("Max cpu time unlimited unlimited seconds\n"), undefined);
});

Deno.test("fitConnectionsToFileLimit() keeps the configured cap when it fits under the limit and its reserve", () => {
  assert.deepEqual(fitConnectionsToFileLimit(5_000, 20_000), { maxConnections: 5_000, reserve: 1_000, lowered: false });
  assert.deepEqual(fitConnectionsToFileLimit(19_000, 20_000), {
    maxConnections: 19_000,
    reserve: 1_000,
    lowered: false,
  });
});

Deno.test("fitConnectionsToFileLimit() lowers the cap to leave 5% of the descriptors, at least 64, for the rest", () => {
  assert.deepEqual(fitConnectionsToFileLimit(20_000, 20_000), {
    maxConnections: 19_000,
    reserve: 1_000,
    lowered: true,
  });
  assert.deepEqual(fitConnectionsToFileLimit(20_000, 1_024), { maxConnections: 960, reserve: 64, lowered: true });
});

Deno.test("fitConnectionsToFileLimit() leaves the cap alone where the limit is unknown", () => {
  assert.deepEqual(fitConnectionsToFileLimit(20_000, undefined), {
    maxConnections: 20_000,
    reserve: 0,
    lowered: false,
  });
});
