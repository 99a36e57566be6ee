import { Format, KeyStrategy } from "../gen/veltrix/v1/route_map_pb.ts";
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
}

/**
 * The fields of a `veltrix.v1.RouteMap` that routing needs: a RouteMap message has them, and so
 * does the plain object the fast update decoder makes.
 */
export interface RoutableMap {
  readonly version: bigint;
  readonly deadLetterTopic: string;
  readonly routes: readonly {
    readonly name: string;
    readonly match: string;
    readonly targets: readonly { readonly topic: string; readonly key: KeyStrategy; readonly format: Format }[];
  }[];
}

/** A validated route, as compile hands it to the table. */
export interface CompiledRoute {
  readonly name: string;
  readonly pattern: RoutePattern;
  readonly targets: readonly ResolvedTarget[];
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

  readonly #exact = new Map<string, number[]>();
  readonly #prefix = new Map<string, number[]>();
  readonly #all: number[] = [];
  readonly #memo = new Map<string, Resolution>();
  readonly #unrouted: Resolution;

  /** Use `compileRouteMap`, which validates first. */
  constructor(map: RoutableMap, routes: readonly CompiledRoute[], deadLetterTopic: string | undefined) {
    this.map = map;
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
    this.topics = Object.freeze([...topics].sort());
    this.#unrouted = deadLetterTopic === undefined
      ? resolution([], false)
      : resolution([{ topic: deadLetterTopic, key: KeyStrategy.PLAYER, format: Format.PROTOBUF }], true);
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
    for (const index of matched) {
      const route = this.routes[index]!;
      // Defensive: the indexes above are built from the same patterns.
      if (!patternMatches(route.pattern, type)) continue;
      for (const target of route.targets) {
        if (!byTopic.has(target.topic)) byTopic.set(target.topic, target);
      }
    }
    return resolution([...byTopic.values()], false);
  }
}

function resolution(targets: ResolvedTarget[], deadLettered: boolean): Resolution {
  return Object.freeze({
    targets: Object.freeze(targets),
    deadLettered,
    needsProtobuf: targets.some((t) => t.format === Format.PROTOBUF),
    needsJson: targets.some((t) => t.format === Format.JSON),
  });
}

function pushTo(index: Map<string, number[]>, key: string, value: number): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else list.push(value);
}
