import assert from "node:assert/strict";
import { configTable, errorCodeTable, markdownTable, replaceBetweenMarkers } from "./write_tables.ts";

Deno.test("markdownTable() pads every column to its widest cell and escapes pipes", () => {
  assert.equal(
    markdownTable(["A", "Long header"], [["x|y", "1"], ["", "22"]]),
    [
      "| A    | Long header |",
      "| ---- | ----------- |",
      "| x\\|y | 1           |",
      "|      | 22          |",
    ].join("\n"),
  );
});

Deno.test("replaceBetweenMarkers() replaces only what lies between its markers, and again the same way", () => {
  const text = "intro\n<!-- t:begin -->\nold\n<!-- t:end -->\noutro\n";
  const once = replaceBetweenMarkers(text, "t", "| new |");
  assert.equal(once, "intro\n<!-- t:begin -->\n\n| new |\n\n<!-- t:end -->\noutro\n");
  assert.equal(replaceBetweenMarkers(once, "t", "| new |"), once);
});

Deno.test("replaceBetweenMarkers() throws when a marker is missing", () => {
  assert.throws(() => replaceBetweenMarkers("<!-- t:begin -->\n", "t", "x"), /markers/);
  assert.throws(() => replaceBetweenMarkers("<!-- other:begin --><!-- other:end -->", "t", "x"), /markers/);
});

Deno.test("configTable() quotes defaults except placeholders, and errorCodeTable() quotes variable names", () => {
  assert.match(configTable(), /^\| `VELTRIX_PORT` +\| `8787` +\|/m);
  assert.match(configTable(), /^\| `VELTRIX_OPS_TOKEN` +\| \(none\) +\|/m);
  assert.match(
    errorCodeTable(),
    /^\| `FRAME_TOO_LARGE` +\| 413 +\| resource_exhausted +\| no +\| 1009 +\| .*`VELTRIX_MAX_FRAME_BYTES`/m,
  );
});
