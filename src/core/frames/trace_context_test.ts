import assert from "node:assert/strict";
import { eventTraceFields, isValidTracestate, parseTraceparent, SpanIdGenerator } from "./trace_context.ts";

const VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

Deno.test("parseTraceparent() reads a valid version-00 traceparent into its parts", () => {
  assert.deepEqual(parseTraceparent(VALID), {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    parentId: "00f067aa0ba902b7",
    flags: "01",
  });
});

Deno.test("parseTraceparent() refuses other versions, upper case, all-zero ids, bad lengths and non-strings", () => {
  for (
    const bad of [
      VALID.replace(/^00/, "01"),
      VALID.replace(/^00/, "ff"),
      VALID.toUpperCase(),
      `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
      `00-4bf92f3577b34da6a3ce929d0e0e4736-${"0".repeat(16)}-01`,
      VALID + "-extra",
      VALID.slice(0, -1),
      "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
      "",
      42,
      undefined,
    ]
  ) assert.equal(parseTraceparent(bad), undefined, String(bad));
});

Deno.test("isValidTracestate() keeps list members up to 512 characters and refuses the rest", () => {
  assert.equal(isValidTracestate("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"), true);
  assert.equal(isValidTracestate("vendor@tenant=x"), true);
  assert.equal(isValidTracestate(""), false);
  assert.equal(isValidTracestate("no-equals"), false);
  assert.equal(isValidTracestate("Upper=x"), false);
  assert.equal(isValidTracestate("a=" + "x".repeat(600)), false);
  assert.equal(isValidTracestate(Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(",")), false);
  assert.equal(isValidTracestate("a=b\n"), false);
});

Deno.test("eventTraceFields() keeps a valid pair, drops an invalid tracestate alone, and both with a bad traceparent", () => {
  assert.deepEqual(eventTraceFields(VALID, "rojo=1"), { traceparent: VALID, tracestate: "rojo=1" });
  assert.deepEqual(eventTraceFields(VALID, undefined), { traceparent: VALID });
  assert.deepEqual(eventTraceFields(VALID, "bad state"), { traceparent: VALID });
  assert.deepEqual(eventTraceFields("00-nope", "rojo=1"), {});
  assert.deepEqual(eventTraceFields(undefined, undefined), {});
});

Deno.test("SpanIdGenerator gives 16-hex ids that do not repeat, and refuses an all-zero seed", () => {
  const ids = new SpanIdGenerator(new Uint32Array([1, 2, 3, 4]));
  const seen = new Set<string>();
  for (let i = 0; i < 100_000; i++) {
    const id = ids.next();
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.notEqual(id, "0".repeat(16));
    seen.add(id);
  }
  assert.equal(seen.size, 100_000);
  assert.notEqual(
    new SpanIdGenerator(new Uint32Array([4, 3, 2, 1])).next(),
    new SpanIdGenerator(new Uint32Array([1, 2, 3, 4])).next(),
  );
  assert.throws(() => new SpanIdGenerator(new Uint32Array(4)), RangeError);
});
