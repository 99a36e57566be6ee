import assert from "node:assert/strict";
import { traceIdBelow, traceSampler } from "./trace_sampler.ts";

const LOW = "4bf92f3577b34da6a300000000000001";
const HIGH = "4bf92f3577b34da6a3fffffffffffff1";

Deno.test("traceSampler() parent-based samplers follow the client traceparent's sampled flag", () => {
  for (const name of ["parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"] as const) {
    const sampled = traceSampler(name, 0);
    assert.equal(sampled(LOW, "01"), true, name);
    assert.equal(sampled(LOW, "00"), false, name);
    assert.equal(sampled(HIGH, "03"), true, name);
  }
});

Deno.test("traceSampler() always_on, always_off and traceidratio ignore the flag", () => {
  assert.equal(traceSampler("always_on", 0)(LOW, "00"), true);
  assert.equal(traceSampler("always_off", 1)(LOW, "01"), false);
  const half = traceSampler("traceidratio", 0.5);
  assert.equal(half(LOW, "00"), true);
  assert.equal(half(HIGH, "01"), false);
});

Deno.test("traceIdBelow() keeps about the given share of random trace ids, and all or none at 1 and 0", () => {
  let kept = 0;
  for (let i = 0; i < 20_000; i++) {
    const id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
    if (traceIdBelow(id, 0.1)) kept++;
  }
  assert.ok(kept > 1_600 && kept < 2_400, `kept ${kept} of 20000 at 10 %`);
  assert.equal(traceIdBelow(HIGH, 1), true);
  assert.equal(traceIdBelow(LOW, 0), false);
});
