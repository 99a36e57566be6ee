import { Format, KeyStrategy, type RouteMap } from "../../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMapOrThrow } from "./compile_route_map.ts";
import { parseRoutePattern } from "./route_pattern.ts";
import type { RouteTable } from "./route_table.ts";

/** One kind of event type that two maps route differently. */
export interface RoutingChange {
  /** An exact type, `prefix.*` for the other types under a prefix, or `*` for every other type. */
  readonly type: string;
  /** Targets under the first map, as `topic` or `topic (key, format)`, sorted; empty: rejected. */
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/**
 * Which event types `before` and `after` route differently. Types are grouped by what the maps can
 * tell apart: each exact type either map names, each prefix pattern (standing for the types under
 * it that no exact route names), and `*` for every other type.
 */
export function routingDifferences(before: RouteMap, after: RouteMap): RoutingChange[] {
  const a = compileRouteMapOrThrow(before);
  const b = compileRouteMapOrThrow(after);
  const probes = new Set<string>();
  for (const map of [before, after]) {
    for (const route of map.routes) {
      const pattern = parseRoutePattern(route.match);
      if ("problem" in pattern) continue;
      if (pattern.kind === "exact") probes.add(pattern.type);
      else if (pattern.kind === "prefix") probes.add(`${pattern.prefix}*`);
    }
  }
  probes.add("*");
  const changes: RoutingChange[] = [];
  for (const type of [...probes].sort()) {
    const was = describe(a, type);
    const will = describe(b, type);
    if (was.join("|") !== will.join("|")) changes.push({ type, before: was, after: will });
  }
  return changes;
}

function describe(table: RouteTable, type: string): string[] {
  return table.resolve(type).targets.map((t) => `${t.topic} (key ${KeyStrategy[t.key]}, ${Format[t.format]})`).sort();
}
