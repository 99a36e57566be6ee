/**
 * The `schemas` scenario of `deno task bench`: what payload schemas cost per event. One edge runs
 * the treasure-hunt load at each rate in phases that alternate between the map without schemas
 * and the same routes with a schema for every routed type of the mix (`examples/schemas/`; the
 * mix's data matches them, so nothing is rejected and the read-back still finds every event).
 * Alternating puts drift (a warming edge, a busy broker) on both sides, after a warm-up step that
 * is not compared; each rate reports the median achieved ev/s and p99 of each side.
 *
 * @module
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { RouteMapSchema, SignedRouteMapSchema } from "../src/gen/veltrix/v1/route_map_pb.ts";
import { parseAuthoredRouteMap } from "../src/control/mod.ts";
import type { EdgeUnderTest } from "./edge_under_test.ts";
import type { StormKey } from "./route_storm.ts";
import type { LoadStep, LoadStepResult } from "./run_load.ts";

/** What the scenario needs from the benchmark run. */
export interface SchemaScenarioContext {
  readonly rates: readonly number[];
  readonly connections: number;
  readonly quick: boolean;
  /** The signing key the edge trusts. */
  readonly key: StormKey;
  readonly edge: EdgeUnderTest;
  step(url: string, rate: number, connections: number, extra?: Partial<LoadStep>): LoadStep;
  /** Runs one load step and records its row (for the read-back); returns its result. */
  measure(label: string, rate: number, step: LoadStep): Promise<LoadStepResult>;
  progress(message: string): void;
}

const EXAMPLE_MAP = new URL("../examples/schemas/treasure_hunt_map.json", import.meta.url);

/** Runs the phases at every rate and returns the headline figures (the rows go through `measure`). */
export async function schemaScenario(context: SchemaScenarioContext): Promise<Record<string, number>> {
  const { edge, key, quick } = context;
  const withSchemas = parseAuthoredRouteMap(await Deno.readTextFile(EXAMPLE_MAP));
  const phases: ("none" | "schemas")[] = quick ? ["none", "schemas"] : ["none", "schemas", "none", "schemas"];
  let version = 2n;
  let inForce: "none" | "schemas" = "none"; // the edge starts on the embedded map, which has no schemas
  const summary: Record<string, number> = {};
  for (const rate of context.rates) {
    const seen = { none: { rate: [] as number[], p99: [] as number[] }, schemas: { rate: [], p99: [] } } as Record<
      "none" | "schemas",
      { rate: number[]; p99: number[] }
    >;
    // A first step at the rate, not compared: the first measured step of a run is often slower.
    context.progress(`schemas at ${rate} ev/s: warm-up`);
    await context.measure(
      `${rate} ev/s, warm-up (not compared)`,
      rate,
      context.step(edge.ingestUrl, rate, context.connections),
    );
    for (const [i, phase] of phases.entries()) {
      if (phase !== inForce) {
        const map = create(RouteMapSchema, { ...withSchemas, version: version++ });
        if (phase === "none") map.schemas = [];
        await post(edge.adminUrl, key, toBinary(RouteMapSchema, map));
        inForce = phase;
      }
      const what = phase === "none" ? "no schemas" : "schemas on every routed type";
      context.progress(`schemas at ${rate} ev/s: phase ${i + 1}, ${what}`);
      const label = `${rate} ev/s, #${i + 1} ${what}`;
      const r = await context.measure(label, rate, context.step(edge.ingestUrl, rate, context.connections));
      seen[phase].rate.push(r.achievedRate);
      seen[phase].p99.push(r.latencyMs.p99);
    }
    summary[`schemasOffRate@${rate}`] = median(seen.none.rate);
    summary[`schemasOnRate@${rate}`] = median(seen.schemas.rate);
    summary[`schemasOffP99Ms@${rate}`] = median(seen.none.p99);
    summary[`schemasOnP99Ms@${rate}`] = median(seen.schemas.p99);
  }
  return summary;
}

async function post(adminUrl: string, key: StormKey, routeMap: Uint8Array): Promise<void> {
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: "Ed25519" }, key.privateKey, routeMap as BufferSource),
  );
  const body = toBinary(SignedRouteMapSchema, create(SignedRouteMapSchema, { routeMap, keyId: key.keyId, signature }));
  const response = await fetch(`${adminUrl}/v1/routes`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf" },
    body,
  });
  if (!response.ok) throw new Error(`route update refused: ${response.status} ${await response.text()}`);
  await response.body?.cancel();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return ((sorted[Math.floor(mid)] ?? NaN) + (sorted[Math.ceil(mid)] ?? NaN)) / 2;
}
