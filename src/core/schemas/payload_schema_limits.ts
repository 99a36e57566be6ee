/**
 * The limits that keep a signed route map from turning the edge into a slow validator. Each
 * limit has a name, a value and the code that prefixes the problem a map is refused with
 * (always as INVALID_ROUTE_MAP, every problem listed). They are checked on the parsed schema
 * before it is compiled.
 *
 * @module
 */
import { MAX_PATTERN_LENGTH, unsafeRegexProblem } from "./unsafe_regex.ts";
import { re2Problem } from "./re2_engine.ts";

/** One limit on payload schemas. */
export interface PayloadSchemaLimit {
  /** The code a problem breaking it starts with. */
  readonly code: string;
  readonly value: number;
  readonly summary: string;
}

/** Every limit on payload schemas, by name. */
export const PAYLOAD_SCHEMA_LIMITS = Object.freeze(
  {
    maxSchemasPerMap: {
      code: "TOO_MANY_SCHEMAS",
      value: 1_000,
      summary: "Payload schemas one map may carry.",
    },
    maxSchemaBytes: {
      code: "SCHEMA_TOO_LARGE",
      value: 64 * 1024,
      summary: "Size of one schema's JSON text, in UTF-16 code units.",
    },
    maxSchemaDepth: {
      code: "SCHEMA_TOO_DEEP",
      value: 32,
      summary: "Nesting of objects and arrays in one schema.",
    },
    maxRefDepth: {
      code: "SCHEMA_REF_TOO_DEEP",
      value: 8,
      summary: "Longest chain of `$ref` hops; a `$ref` that leads back to itself is refused under this code too.",
    },
    localRefsOnly: {
      code: "SCHEMA_REMOTE_REF",
      value: 0,
      summary:
        "`$ref` must be a JSON pointer into the same schema (`#/$defs/x`); remote refs, anchors, `$id` and `$dynamicRef` are refused.",
    },
    safePatterns: {
      code: "SCHEMA_UNSAFE_PATTERN",
      value: MAX_PATTERN_LENGTH,
      summary:
        "`pattern` and `patternProperties` keys: at most 256 characters, no backreferences or lookaround, RE2 syntax (patterns run on RE2, in linear time).",
    },
  } satisfies Record<string, PayloadSchemaLimit>,
);

/** Keywords whose value is one subschema. */
const ONE_SCHEMA = new Set([
  "not",
  "if",
  "then",
  "else",
  "contains",
  "additionalProperties",
  "propertyNames",
  "unevaluatedItems",
  "unevaluatedProperties",
  "items",
  "additionalItems",
]);
/** Keywords whose value is an array of subschemas. */
const SCHEMA_ARRAY = new Set(["allOf", "anyOf", "oneOf", "prefixItems", "items"]);
/** Keywords whose value is an object of subschemas. */
const SCHEMA_OBJECT = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
/** Keywords that would let a schema reach beyond itself. */
const NOT_LOCAL = ["$id", "$anchor", "$dynamicRef", "$dynamicAnchor"];

/**
 * What in the parsed schema `root` breaks a limit, each problem starting with its limit's code.
 * Refs are followed only as JSON pointers inside `root`; one that does not resolve is left to
 * the compiler to report.
 */
export function payloadSchemaLimitProblems(root: unknown): string[] {
  const problems: string[] = [];
  const refs = new Map<unknown, string[]>();
  walk(root, 0, root, problems, refs);
  const depths = new Map<string, number>();
  for (const list of refs.values()) {
    for (const ref of list) {
      const depth = refDepth(ref, root, refs, depths, new Set());
      if (depth > PAYLOAD_SCHEMA_LIMITS.maxRefDepth.value) {
        const { code, value } = PAYLOAD_SCHEMA_LIMITS.maxRefDepth;
        problems.push(
          `${code}: $ref "${ref}" ${
            depth === Infinity ? "leads back to itself" : `is a chain of ${depth} hops`
          }; at most ${value} are allowed`,
        );
        return problems;
      }
    }
  }
  return problems;
}

/** Checks one schema node and records the refs found in its subtree under every enclosing node. */
function walk(node: unknown, depth: number, root: unknown, problems: string[], refs: Map<unknown, string[]>): string[] {
  if (depth > PAYLOAD_SCHEMA_LIMITS.maxSchemaDepth.value) {
    const { code, value } = PAYLOAD_SCHEMA_LIMITS.maxSchemaDepth;
    if (!problems.some((p) => p.startsWith(code))) problems.push(`${code}: schema nests deeper than ${value}`);
    return [];
  }
  if (typeof node !== "object" || node === null || Array.isArray(node)) return [];
  const found: string[] = [];
  const schema = node as Record<string, unknown>;
  for (const keyword of NOT_LOCAL) {
    if (keyword in schema) problems.push(`${PAYLOAD_SCHEMA_LIMITS.localRefsOnly.code}: "${keyword}" is not allowed`);
  }
  const ref = schema.$ref;
  if (typeof ref === "string") {
    if (ref === "#" || ref.startsWith("#/")) found.push(ref);
    else problems.push(`${PAYLOAD_SCHEMA_LIMITS.localRefsOnly.code}: $ref "${ref}" is not a local JSON pointer`);
  }
  if (typeof schema.pattern === "string") checkPattern(schema.pattern, problems);
  for (const [keyword, value] of Object.entries(schema)) {
    if (ONE_SCHEMA.has(keyword) && !Array.isArray(value)) found.push(...walk(value, depth + 1, root, problems, refs));
    if (SCHEMA_ARRAY.has(keyword) && Array.isArray(value)) {
      for (const item of value) found.push(...walk(item, depth + 2, root, problems, refs));
    }
    if (SCHEMA_OBJECT.has(keyword) && typeof value === "object" && value !== null && !Array.isArray(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (keyword === "patternProperties") checkPattern(key, problems);
        found.push(...walk(item, depth + 2, root, problems, refs));
      }
    }
  }
  refs.set(node, found);
  return found;
}

function checkPattern(pattern: string, problems: string[]): void {
  const problem = unsafeRegexProblem(pattern) ?? re2Problem(pattern);
  if (problem !== undefined) problems.push(`${PAYLOAD_SCHEMA_LIMITS.safePatterns.code}: "${pattern}": ${problem}`);
}

/** Hops in the longest chain of refs starting at `ref`; Infinity when it comes back to a ref on the way. */
function refDepth(
  ref: string,
  root: unknown,
  refs: Map<unknown, string[]>,
  depths: Map<string, number>,
  visiting: Set<string>,
): number {
  const known = depths.get(ref);
  if (known !== undefined) return known;
  if (visiting.has(ref)) return Infinity;
  visiting.add(ref);
  let deepest = 0;
  for (const next of refs.get(resolvePointer(root, ref)) ?? []) {
    deepest = Math.max(deepest, refDepth(next, root, refs, depths, visiting));
    if (deepest > PAYLOAD_SCHEMA_LIMITS.maxRefDepth.value) break;
  }
  visiting.delete(ref);
  depths.set(ref, deepest + 1);
  return deepest + 1;
}

/** The node a local JSON pointer `#/a/b` names in `root`, or undefined. */
function resolvePointer(root: unknown, ref: string): unknown {
  let node = root;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    let part: string;
    try {
      part = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    } catch {
      return undefined;
    }
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
