import { Format, KeyStrategy, SchemaViolationAction } from "../../gen/veltrix/v1/route_map_pb.ts";
import { NO_TENANCY, type Tenancy } from "./tenancy.ts";
import type { RoutableMap } from "./routable_map.ts";
import type { PayloadSchemaRule } from "./compile_payload_schemas.ts";
import type { CompiledPayloadSchema } from "../schemas/payload_schema.ts";
import { patternMatches, type RoutePattern } from "./route_pattern.ts";

/** One Kafka write an event must make: the topic, how to key the record, how to encode it. */
export interface ResolvedTarget {
  readonly topic: string;
  /** Never UNSPECIFIED: compile resolves the default. */
  readonly key: KeyStrategy;
  /** Never UNSPECIFIED: compile resolves the default. */
  readonly format: Format;
}

/** Where events of one type go under one table. */
export interface Resolution {
  /** The union of the targets of every matching route, each topic once, in map order. */
  readonly targets: readonly ResolvedTarget[];
  /** True when no route matched and the targets are the dead-letter topic. */
  readonly deadLettered: boolean;
  /** True when some target wants the protobuf encoding. */
  readonly needsProtobuf: boolean;
  /** True when some target wants the JSON encoding. */
  readonly needsJson: boolean;
  /** The payload schema the event's data must match; undefined for types without one (no work). */
  readonly schemaCheck?: SchemaCheck;
}

/** The schema check of one event type, and what happens to data that fails it. */
export interface SchemaCheck {
  /** The map's schema that applies: the most specific match. */
  readonly rule: PayloadSchemaRule;
  /**
   * Where a failing event goes when every route matching the type says DEAD_LETTER (the bad-event
   * topic, keyed by player, as protobuf); undefined means it is rejected with SCHEMA_VIOLATION.
   */
  readonly badEvent: Resolution | undefined;
}

/** A validated route, as compile hands it to the table. */
export interface CompiledRoute {
  readonly name: string;
  readonly pattern: RoutePattern;
  readonly targets: readonly ResolvedTarget[];
  /** Never UNSPECIFIED: compile resolves it to REJECT. @default SchemaViolationAction.REJECT */
  readonly onSchemaViolation?: SchemaViolationAction;
}

/** The parts of a table that only maps with payload schemas have. */
export interface TableSchemas {
  readonly rules: readonly PayloadSchemaRule[];
  /** Where failing events of DEAD_LETTER routes go. */
  readonly badEventTopic: string | undefined;
}

/** Events routed by one table, by outcome: what `routes status` compares between stable and canary. */
export interface RouteCounts {
  /** Events written to Kafka (dead-lettered ones included). */
  routed: number;
  /** Events rejected after routing began (NO_ROUTE, SCHEMA_VIOLATION, too large, overloaded). */
  rejected: number;
  /** Events written to the dead-letter or bad-event topic. */
  deadLettered: number;
}

/** How many distinct event types a table remembers lookups for; later types are resolved each time. */
export const RESOLUTION_MEMO_LIMIT = 10_000;

/**
 * A compiled, immutable route table. Build it with `compileRouteMap`. Looking up a type seen
 * before is one map read; the first lookup of a type reads the exact index once, the prefix
 * index once per dot in the type, and the `*` routes.
 */
export class RouteTable {
  /** The route map version this table was compiled from. */
  readonly version: bigint;
  /** The version as the decimal string stamped on every record. */
  readonly versionText: string;
  /** Where unmatched events go, or undefined when they are rejected with NO_ROUTE. */
  readonly deadLetterTopic: string | undefined;
  /** Every topic this table can write to, dead-letter topic included, sorted. */
  readonly topics: readonly string[];
  /** The routes, in map order. */
  readonly routes: readonly CompiledRoute[];
  /** The map this table was compiled from; callers must not change it. */
  readonly map: RoutableMap;
  /** The payload schemas, in map order. */
  readonly schemaRules: readonly PayloadSchemaRule[];
  /** Every compiled schema by its key: what the next version reuses. */
  readonly compiledSchemas: ReadonlyMap<string, CompiledPayloadSchema>;
  /** Where events that fail a DEAD_LETTER route's schema go, or undefined. */
  readonly badEventTopic: string | undefined;
  /** The map's tenants: their quotas, and the tables of those with a topic prefix. */
  readonly tenancy: Tenancy<RouteTable>;
  /** What this table has routed on this edge since it was applied; the edge adds to it, nothing else. */
  readonly counts: RouteCounts = { routed: 0, rejected: 0, deadLettered: 0 };

  readonly #exact = new Map<string, number[]>();
  readonly #prefix = new Map<string, number[]>();
  readonly #all: number[] = [];
  readonly #memo = new Map<string, Resolution>();
  readonly #unrouted: Resolution;
  readonly #badEvent: Resolution | undefined;
  readonly #schemaExact = new Map<string, PayloadSchemaRule>();
  readonly #schemaPrefix = new Map<string, PayloadSchemaRule>();
  readonly #schemaAll: PayloadSchemaRule | undefined;

  /** Use `compileRouteMap`, which validates first. */
  constructor(
    map: RoutableMap,
    routes: readonly CompiledRoute[],
    deadLetterTopic: string | undefined,
    schemas: TableSchemas = { rules: [], badEventTopic: undefined },
    tenancy: Tenancy<RouteTable> = NO_TENANCY,
  ) {
    this.map = map;
    this.tenancy = tenancy;
    this.schemaRules = Object.freeze([...schemas.rules]);
    this.compiledSchemas = new Map(schemas.rules.map((rule) => [rule.validator.key, rule.validator]));
    this.badEventTopic = schemas.badEventTopic;
    let schemaAll: PayloadSchemaRule | undefined;
    for (const rule of schemas.rules) {
      if (rule.pattern.kind === "all") schemaAll = rule;
      else if (rule.pattern.kind === "exact") this.#schemaExact.set(rule.pattern.type, rule);
      else this.#schemaPrefix.set(rule.pattern.prefix, rule);
    }
    this.#schemaAll = schemaAll;
    this.version = map.version;
    this.versionText = map.version.toString();
    this.deadLetterTopic = deadLetterTopic;
    this.routes = Object.freeze([...routes]);
    const topics = new Set<string>();
    routes.forEach((route, index) => {
      for (const target of route.targets) topics.add(target.topic);
      const pattern = route.pattern;
      if (pattern.kind === "all") this.#all.push(index);
      else if (pattern.kind === "exact") pushTo(this.#exact, pattern.type, index);
      else pushTo(this.#prefix, pattern.prefix, index);
    });
    if (deadLetterTopic !== undefined) topics.add(deadLetterTopic);
    if (schemas.badEventTopic !== undefined) topics.add(schemas.badEventTopic);
    for (const table of tenancy.tables.values()) for (const topic of table.topics) topics.add(topic);
    this.topics = Object.freeze([...topics].sort());
    this.#unrouted = deadLetterTopic === undefined
      ? resolution([], false)
      : resolution([{ topic: deadLetterTopic, key: KeyStrategy.PLAYER, format: Format.PROTOBUF }], true);
    this.#badEvent = schemas.badEventTopic === undefined
      ? undefined
      : resolution([{ topic: schemas.badEventTopic, key: KeyStrategy.PLAYER, format: Format.PROTOBUF }], false);
    Object.freeze(this);
  }

  /** Where an event of `type` goes. The same object comes back for the same type. */
  resolve(type: string): Resolution {
    const known = this.#memo.get(type);
    if (known !== undefined) return known;
    const found = this.#resolveUncached(type);
    if (this.#memo.size < RESOLUTION_MEMO_LIMIT) this.#memo.set(type, found);
    return found;
  }

  #resolveUncached(type: string): Resolution {
    const matched: number[] = [];
    const exact = this.#exact.get(type);
    if (exact !== undefined) matched.push(...exact);
    for (let dot = type.indexOf("."); dot !== -1; dot = type.indexOf(".", dot + 1)) {
      const byPrefix = this.#prefix.get(type.slice(0, dot + 1));
      if (byPrefix !== undefined) matched.push(...byPrefix);
    }
    matched.push(...this.#all);
    if (matched.length === 0) return this.#unrouted;
    matched.sort((a, b) => a - b);
    const byTopic = new Map<string, ResolvedTarget>();
    let allDeadLetter = true;
    for (const index of matched) {
      const route = this.routes[index]!;
      // Defensive: the indexes above are built from the same patterns.
      if (!patternMatches(route.pattern, type)) continue;
      if (route.onSchemaViolation !== SchemaViolationAction.DEAD_LETTER) allDeadLetter = false;
      for (const target of route.targets) {
        if (!byTopic.has(target.topic)) byTopic.set(target.topic, target);
      }
    }
    const rule = this.#schemaFor(type);
    const schema = rule === undefined
      ? undefined
      : Object.freeze({ rule, badEvent: allDeadLetter ? this.#badEvent : undefined });
    return resolution([...byTopic.values()], false, schema);
  }

  /** The most specific schema for `type`: exact, then the longest prefix, then `*`. */
  #schemaFor(type: string): PayloadSchemaRule | undefined {
    if (this.schemaRules.length === 0) return undefined;
    const exact = this.#schemaExact.get(type);
    if (exact !== undefined) return exact;
    for (let dot = type.lastIndexOf("."); dot !== -1; dot = type.lastIndexOf(".", dot - 1)) {
      const byPrefix = this.#schemaPrefix.get(type.slice(0, dot + 1));
      if (byPrefix !== undefined) return byPrefix;
      if (dot === 0) break;
    }
    return this.#schemaAll;
  }
}

/** A frozen Resolution; the `schemaCheck` key is only there for types that have one. */
function resolution(targets: ResolvedTarget[], deadLettered: boolean, schema?: SchemaCheck): Resolution {
  const base = {
    targets: Object.freeze(targets),
    deadLettered,
    needsProtobuf: targets.some((t) => t.format === Format.PROTOBUF),
    needsJson: targets.some((t) => t.format === Format.JSON),
  };
  return Object.freeze(schema === undefined ? base : { ...base, schemaCheck: schema });
}

function pushTo(index: Map<string, number[]>, key: string, value: number): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}
