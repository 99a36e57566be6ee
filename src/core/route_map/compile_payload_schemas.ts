import {
  type CompiledPayloadSchema,
  compilePayloadSchema,
  type PayloadSchemaCompiler,
  payloadSchemaKey,
} from "../schemas/payload_schema.ts";
import { PAYLOAD_SCHEMA_LIMITS } from "../schemas/payload_schema_limits.ts";
import type { RouteMapProblem } from "./route_map_problem.ts";
import { parseRoutePattern, type RoutePattern } from "./route_pattern.ts";
import type { RoutableMap } from "./routable_map.ts";

/** A map's schema for the types one pattern matches, compiled. */
export interface PayloadSchemaRule {
  /** The `match` as the map wrote it. */
  readonly match: string;
  readonly pattern: RoutePattern;
  /** The compiled validator of the schema. */
  readonly validator: CompiledPayloadSchema;
}

/** How compile finds validators for a map's schemas. */
export interface PayloadSchemaSources {
  /** Compiled schemas of the map in force, by key: a schema whose text did not change is reused. */
  readonly previous?: ReadonlyMap<string, CompiledPayloadSchema>;
  /** Compiles a schema that is new. @default compilePayloadSchema (ajv) */
  readonly compile?: PayloadSchemaCompiler;
}

/**
 * Checks and compiles a map's payload schemas: each `match` must parse and be unique, each
 * schema must stay within {@link PAYLOAD_SCHEMA_LIMITS} and compile. Texts already compiled for
 * `sources.previous` (or earlier in this map) are not compiled again. Every problem is returned.
 */
export function compilePayloadSchemas(
  map: RoutableMap,
  sources: PayloadSchemaSources = {},
): { readonly rules: readonly PayloadSchemaRule[]; readonly problems: readonly RouteMapProblem[] } {
  const schemas = map.schemas ?? [];
  const problems: RouteMapProblem[] = [];
  const rules: PayloadSchemaRule[] = [];
  const { code, value } = PAYLOAD_SCHEMA_LIMITS.maxSchemasPerMap;
  if (schemas.length > value) {
    problems.push({ path: "schemas", message: `${code}: map has ${schemas.length} schemas; the limit is ${value}` });
    return { rules, problems };
  }
  const compile = sources.compile ?? compilePayloadSchema;
  const compiled = new Map<string, CompiledPayloadSchema>();
  const matches = new Set<string>();
  for (let s = 0; s < schemas.length; s++) {
    const { match, jsonSchema } = schemas[s]!;
    const pattern = parseRoutePattern(match);
    if ("problem" in pattern) problems.push({ path: `schemas[${s}].match`, message: pattern.problem });
    else if (matches.has(match)) {
      problems.push({ path: `schemas[${s}].match`, message: `duplicate schema match "${match}"` });
    }
    matches.add(match);
    const key = payloadSchemaKey(jsonSchema);
    let schema = reusable(compiled.get(key), jsonSchema) ?? reusable(sources.previous?.get(key), jsonSchema);
    if (schema === undefined) {
      const result = compile(jsonSchema);
      if ("problems" in result) {
        for (const message of result.problems) problems.push({ path: `schemas[${s}].jsonSchema`, message });
        continue;
      }
      schema = result;
    }
    compiled.set(key, schema);
    if (!("problem" in pattern)) rules.push(Object.freeze({ match, pattern, validator: schema }));
  }
  return { rules, problems };
}

function reusable(schema: CompiledPayloadSchema | undefined, text: string): CompiledPayloadSchema | undefined {
  return schema !== undefined && schema.text === text ? schema : undefined;
}

/**
 * Compiles, one at a time, the schemas of `map` that `sources.previous` does not hold, awaiting
 * `pause()` after each, so that a caller on a busy event loop can let other work run between two
 * compiles (each takes about a millisecond; a map of 100 new schemas would otherwise hold the loop
 * for a hundred). Returns `previous` plus what compiled, to pass to compile as `previous`; schemas
 * that fail are left for compile to report.
 */
export async function precompilePayloadSchemas(
  map: RoutableMap,
  sources: PayloadSchemaSources,
  pause: () => Promise<void>,
): Promise<ReadonlyMap<string, CompiledPayloadSchema>> {
  const schemas = map.schemas ?? [];
  const previous = sources.previous ?? new Map<string, CompiledPayloadSchema>();
  if (schemas.length === 0 || schemas.length > PAYLOAD_SCHEMA_LIMITS.maxSchemasPerMap.value) return previous;
  const compile = sources.compile ?? compilePayloadSchema;
  const known = new Map(previous);
  for (const { jsonSchema } of schemas) {
    const key = payloadSchemaKey(jsonSchema);
    if (reusable(known.get(key), jsonSchema) !== undefined) continue;
    const result = compile(jsonSchema);
    if (!("problems" in result)) known.set(key, result);
    await pause();
  }
  return known;
}
