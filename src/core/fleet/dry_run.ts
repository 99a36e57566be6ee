/**
 * A dry run of a candidate route map against an edge's recent traffic: what would change, weighted
 * by how many events it touches. Pure: it reads two compiled tables and a traffic snapshot.
 *
 * @module
 */
import { Format, KeyStrategy } from "../../gen/veltrix/v1/route_map_pb.ts";
import type { Resolution, RouteTable } from "../route_map/route_table.ts";
import type { TrafficSnapshot } from "./traffic_sketch.ts";

/** How much of the traffic one finding touches. */
export interface Weight {
  readonly events: number;
  readonly perMinute: number;
  /** Share of all events in the window, 0 to 1. */
  readonly share: number;
}

/** A type whose topics, keys or formats would change. */
export interface RouteChangeFinding extends Weight {
  readonly type: string;
  /** Targets as `topic (KEY, FORMAT)`, sorted; empty when rejected. */
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/** A type whose new or changed schema would fail some of its recent payloads. */
export interface SchemaFinding extends Weight {
  readonly type: string;
  readonly schema: string;
  /** Payloads checked (the type's samples). */
  readonly sampled: number;
  /** Share of the samples the schema would fail, 0 to 1. */
  readonly failShare: number;
  /** `reject` (SCHEMA_VIOLATION) or `dead-letter` (the bad-event topic). */
  readonly action: "reject" | "dead-letter";
  /** One failing JSON pointer and keyword, when some sample fails. */
  readonly example?: { readonly pointer: string; readonly keyword: string };
}

/** The outcome of a dry run. */
export interface DryRunReport {
  readonly currentVersion: string;
  readonly candidateVersion: string;
  readonly window: { readonly coveredMs: number; readonly events: number; readonly perMinute: number };
  readonly changes: readonly RouteChangeFinding[];
  /** Types that would newly go to the dead-letter topic. */
  readonly newlyDeadLettered: readonly RouteChangeFinding[];
  /** Types that would newly be refused with NO_ROUTE. */
  readonly newlyNoRoute: readonly RouteChangeFinding[];
  readonly schemas: readonly SchemaFinding[];
  /** Whether payload samples were kept (`VELTRIX_DRY_RUN_SAMPLES`); without them schemas cannot be judged. */
  readonly sampling: boolean;
  /** Events of types beyond the sketch's bound: not judged. */
  readonly other: Weight;
}

/** Runs `candidate` against `traffic` as routed by `current`. */
export function dryRun(current: RouteTable, candidate: RouteTable, traffic: TrafficSnapshot): DryRunReport {
  const minutes = traffic.coveredMs / 60_000;
  const weigh = (events: number): Weight => ({
    events,
    perMinute: round(events / minutes),
    share: traffic.total === 0 ? 0 : round(events / traffic.total, 4),
  });
  const changes: RouteChangeFinding[] = [];
  const newlyDeadLettered: RouteChangeFinding[] = [];
  const newlyNoRoute: RouteChangeFinding[] = [];
  const schemas: SchemaFinding[] = [];
  for (const { type, count, samples } of traffic.types) {
    const was = current.resolve(type);
    const will = candidate.resolve(type);
    const finding = { type, ...weigh(count), before: describe(was), after: describe(will) };
    if (!was.deadLettered && will.deadLettered) newlyDeadLettered.push(finding);
    else if (was.targets.length > 0 && will.targets.length === 0) newlyNoRoute.push(finding);
    else if (finding.before.join("|") !== finding.after.join("|")) changes.push(finding);
    const schema = will.schemaCheck;
    if (
      schema === undefined || schema.rule.validator.key === was.schemaCheck?.rule.validator.key || samples.length === 0
    ) {
      continue;
    }
    let failed = 0;
    let example: SchemaFinding["example"];
    for (const data of samples) {
      const violation = schema.rule.validator.check(data);
      if (violation === undefined) continue;
      failed++;
      example ??= { pointer: violation.pointer, keyword: violation.keyword };
    }
    schemas.push({
      type,
      ...weigh(count),
      schema: schema.rule.match,
      sampled: samples.length,
      failShare: round(failed / samples.length, 4),
      action: schema.badEvent === undefined ? "reject" : "dead-letter",
      ...(example ? { example } : {}),
    });
  }
  return {
    currentVersion: current.versionText,
    candidateVersion: candidate.versionText,
    window: { coveredMs: traffic.coveredMs, events: traffic.total, perMinute: round(traffic.total / minutes) },
    changes,
    newlyDeadLettered,
    newlyNoRoute,
    schemas,
    sampling: traffic.sampling,
    other: weigh(traffic.other),
  };
}

function describe(resolution: Resolution): string[] {
  return resolution.targets.map((t) => `${t.topic} (${KeyStrategy[t.key]}, ${Format[t.format]})`).sort();
}

function round(x: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(x * scale) / scale;
}
