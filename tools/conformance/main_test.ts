import assert from "node:assert/strict";
import { parseConformanceArgs } from "./main.ts";

Deno.test("parseConformanceArgs() reads --port and --timeout in seconds or ms, and refuses the rest", () => {
  assert.deepEqual(parseConformanceArgs([]), { port: 0, timeoutMs: 60_000 });
  assert.deepEqual(parseConformanceArgs(["--port", "20123", "--timeout", "5s"]), { port: 20123, timeoutMs: 5000 });
  assert.deepEqual(parseConformanceArgs(["--timeout=750ms"]), { port: 0, timeoutMs: 750 });
  assert.throws(() => parseConformanceArgs(["--port", "x"]), /not a port/);
  assert.throws(() => parseConformanceArgs(["--timeout", "soon"]), /expected e.g. 60s/);
  assert.throws(() => parseConformanceArgs(["--verbose", "1"]), /unknown option --verbose/);
});
