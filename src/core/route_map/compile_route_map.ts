import { Format, KeyStrategy, SchemaViolationAction } from "../../gen/veltrix/v1/route_map_pb.ts";
import { compilePayloadSchemas, type PayloadSchemaSources } from "./compile_payload_schemas.ts";
import { parseRoutePattern } from "./route_pattern.ts";
import { formatRouteMapProblems, type RouteMapProblem } from "./route_map_problem.ts";
import type { RoutableMap } from "./routable_map.ts";
import { type CompiledRoute, type ResolvedTarget, RouteTable } from "./route_table.ts";
import { topicNameProblem } from "./topic_name.ts";
import { prefixedMap, resolveTenants, Tenancy } from "./tenancy.ts";
import { reusedRoutes } from "./decode_route_map.ts";
import { canaryProblems } from "./canary_cohort.ts";
import { VeltrixError } from "../errors/veltrix_error.ts";

/** The outcome of {@link compileRouteMap}. */
export type CompileResult =
  | { readonly ok: true; readonly table: RouteTable }
  | { readonly ok: false; readonly problems: readonly RouteMapProblem[] };

/**
 * Validates a route map and compiles it into a frozen {@link RouteTable}. When the map is
 * invalid, every problem found is returned at once, not just the first.
 *
 * @example
 * ```ts
 * import { compileRouteMap } from "./compile_route_map.ts";
 * import { defaultRouteMap } from "./default_route_map.ts";
 * const result = compileRouteMap(defaultRouteMap());
 * if (result.ok) result.table.resolve("treasure.collected");
 * ```
 *
 * @param schemas where payload schema validators come from: pass the table in force's
 * `compiledSchemas` as `previous` so that unchanged schemas are not compiled again.
 * @param previous the table in force, when `map` was decoded with its map by `decodeRoutableMap`:
 * the routes the decoder reused from it are not compiled again (their compiled form is reused),
 * which makes an update that changes few routes cost little more than reading its bytes.
 */
export function compileRouteMap(
  map: RoutableMap,
  schemas: PayloadSchemaSources = {},
  previous?: RouteTable,
): CompileResult {
  const problems: RouteMapProblem[] = [];
  const routes: CompiledRoute[] = [];
  const names = new Set<string>();
  // Maps share a few topics among many routes: each distinct target is checked and built once.
  const targetsByTopic = new Map<string, Map<number, ResolvedTarget> | string>();

  if (map.version <= 0n) problems.push({ path: "version", message: "version must be at least 1" });
  problems.push(...canaryProblems(map));

  const list = map.routes;
  // A table that compile made has one compiled route per route of its map, in order.
  const reused = previous !== undefined && previous.routes.length === previous.map.routes.length
    ? reusedRoutes(map, previous.map)
    : undefined;
  for (let r = 0; r < list.length; r++) {
    const route = list[r]!;
    if (route.name.length === 0) problems.push({ path: `routes[${r}].name`, message: "route name is empty" });
    else if (names.has(route.name)) {
      problems.push({ path: `routes[${r}].name`, message: `duplicate route name "${route.name}"` });
    }
    names.add(route.name);

    const from = reused === undefined ? -1 : reused[r]!;
    const earlier = from >= 0 ? previous!.routes[from] : undefined;
    if (earlier !== undefined && earlier.name === route.name) {
      // The same route object as in the table in force, which compiled it without a problem; only
      // what depends on the rest of the map is checked again.
      if (earlier.onSchemaViolation === SchemaViolationAction.DEAD_LETTER && !map.badEventTopic) {
        problems.push({ path: `routes[${r}].onSchemaViolation`, message: "DEAD_LETTER needs the map's badEventTopic" });
      }
      routes.push(earlier);
      continue;
    }

    const pattern = parseRoutePattern(route.match);
    const patternOk = !("problem" in pattern);
    if (!patternOk) problems.push({ path: `routes[${r}].match`, message: pattern.problem });

    if (route.targets.length === 0) {
      problems.push({ path: `routes[${r}].targets`, message: "route has no targets" });
    }
    const targets: ResolvedTarget[] = [];
    for (let t = 0; t < route.targets.length; t++) {
      const target = route.targets[t]!;
      let byVariant = targetsByTopic.get(target.topic);
      if (byVariant === undefined) {
        byVariant = topicNameProblem(target.topic) ?? new Map();
        targetsByTopic.set(target.topic, byVariant);
      }
      if (typeof byVariant === "string") {
        problems.push({ path: `routes[${r}].targets[${t}].topic`, message: byVariant });
      }
      const key = resolveKey(target.key);
      if (key === undefined) {
        problems.push({ path: `routes[${r}].targets[${t}].key`, message: `unknown key strategy ${target.key}` });
      }
      const format = resolveFormat(target.format);
      if (format === undefined) {
        problems.push({ path: `routes[${r}].targets[${t}].format`, message: `unknown format ${target.format}` });
      }
      if (key === undefined || format === undefined || typeof byVariant === "string") continue;
      const variant = key * 16 + format;
      let resolved = byVariant.get(variant);
      if (resolved === undefined) {
        resolved = Object.freeze({ topic: target.topic, key, format });
        byVariant.set(variant, resolved);
      }
      targets.push(resolved);
    }
    const onSchemaViolation = resolveSchemaViolation(route.onSchemaViolation);
    if (onSchemaViolation === undefined) {
      problems.push({
        path: `routes[${r}].onSchemaViolation`,
        message: `unknown schema violation action ${route.onSchemaViolation}`,
      });
    } else if (onSchemaViolation === SchemaViolationAction.DEAD_LETTER && !map.badEventTopic) {
      problems.push({
        path: `routes[${r}].onSchemaViolation`,
        message: "DEAD_LETTER needs the map's badEventTopic",
      });
    }
    if (patternOk) {
      routes.push(Object.freeze({ name: route.name, pattern, targets: Object.freeze(targets), onSchemaViolation }));
    }
  }

  let badEventTopic: string | undefined;
  if (map.badEventTopic) {
    const problem = topicNameProblem(map.badEventTopic);
    if (problem !== undefined) problems.push({ path: "badEventTopic", message: problem });
    badEventTopic = map.badEventTopic;
  }
  const compiledSchemas = compilePayloadSchemas(map, schemas);
  problems.push(...compiledSchemas.problems);

  let deadLetterTopic: string | undefined;
  if (map.deadLetterTopic !== "") {
    const problem = topicNameProblem(map.deadLetterTopic);
    if (problem !== undefined) problems.push({ path: "deadLetterTopic", message: problem });
    deadLetterTopic = map.deadLetterTopic;
  }

  const tenants = resolveTenants(map, problems);
  if (problems.length > 0) return { ok: false, problems: Object.freeze(problems) };
  // A tenant with a topic prefix is routed by the map with its topics prefixed; schemas are compiled once.
  const tables = new Map<string, RouteTable>();
  const compiled = new Map(compiledSchemas.rules.map((rule) => [rule.validator.key, rule.validator]));
  for (const [t, quota] of tenants.listed.entries()) {
    if (quota.topicPrefix === "") continue;
    const result = compileRouteMap(prefixedMap(map, quota.topicPrefix), { ...schemas, previous: compiled });
    if (result.ok) tables.set(quota.name, result.table);
    else {
      for (const problem of result.problems) {
        problems.push({ path: `tenants[${t}].topicPrefix`, message: problem.message });
      }
    }
  }
  if (problems.length > 0) return { ok: false, problems: Object.freeze(problems) };
  const tableSchemas = { rules: compiledSchemas.rules, badEventTopic };
  const tenancy = new Tenancy(tenants.listed, tenants.other, tables);
  return { ok: true, table: new RouteTable(map, routes, deadLetterTopic, tableSchemas, tenancy) };
}

/** Like {@link compileRouteMap}, but throws a VeltrixError with code INVALID_ROUTE_MAP listing every problem. */
export function compileRouteMapOrThrow(
  map: RoutableMap,
  schemas: PayloadSchemaSources = {},
  previous?: RouteTable,
): RouteTable {
  const result = compileRouteMap(map, schemas, previous);
  if (result.ok) return result.table;
  throw new VeltrixError("INVALID_ROUTE_MAP", `route map is invalid: ${formatRouteMapProblems(result.problems)}`, {
    cause: result.problems,
  });
}

function resolveKey(key: KeyStrategy): KeyStrategy | undefined {
  if (key === KeyStrategy.UNSPECIFIED) return KeyStrategy.PLAYER;
  return key in KeyStrategy ? key : undefined;
}

function resolveSchemaViolation(action: SchemaViolationAction | undefined): SchemaViolationAction | undefined {
  if (action === undefined || action === SchemaViolationAction.UNSPECIFIED) return SchemaViolationAction.REJECT;
  return action in SchemaViolationAction ? action : undefined;
}

function resolveFormat(format: Format): Format | undefined {
  if (format === Format.UNSPECIFIED) return Format.PROTOBUF;
  return format in Format ? format : undefined;
}
