import { fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  type RouteMap,
  RouteMapSchema,
  type SignedRouteMap,
  SignedRouteMapSchema,
} from "../gen/veltrix/v1/route_map_pb.ts";
import type { ErrorCode } from "../core/errors/error_code.ts";
import type { Logger } from "../core/ops/logger.ts";
import { RateLimitedLog } from "../core/ops/rate_limited_log.ts";
import type { RouteMapProblem } from "../core/route_map/route_map_problem.ts";
import type { TrustedKeys } from "../core/updates/trusted_keys.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import { isVerified, verifyRouteUpdate } from "../core/updates/verify_route_update.ts";
import type {
  AppliedRouteMap,
  CanarySnapshot,
  LiveRouteTable,
  RouteMapOrigin,
  RouteSnapshot,
} from "../core/route_map/live_route_table.ts";
import type { EdgeVersionCount } from "../core/fleet/edge_status.ts";
import type { RouteTable } from "../core/route_map/route_table.ts";
import type { RouteMapFeed } from "../core/updates/route_map_feed.ts";
import type { TopicProvisioner } from "../core/routing/topic_provisioner.ts";
import type { RouteMapStore } from "./route_map_store.ts";
import { claimedRouteMapVersion } from "./claimed_version.ts";
import { SCHEMA_COMPILE_SLICE_MS, slicedPause } from "./sliced_pause.ts";
import { ignoredTopicRecord, IgnoredTopicRecordLog } from "./ignored_topic_record.ts";
import { nextRouteSnapshot } from "./next_route_snapshot.ts";
import type { RefusedUpdate, UpdateOutcome } from "./route_update_outcome.ts";

/** Counters of what the control plane did, for metrics and tests. */
export interface RouteControlStats {
  applied: number;
  refused: Partial<Record<ErrorCode, number>>;
  /** Records on the route map topic that were not applied, by why. */
  topicIgnored: { forged: number; stale: number; invalid: number; alreadyApplied: number };
  /** Apply times (verify through swap) of the latest updates, in ms, oldest first. */
  applyMs: number[];
}

/** What the control plane works with. */
export interface RouteControlOptions {
  /** The one reference to the map in force: read by the edge, swapped here. */
  readonly routes: LiveRouteTable;
  readonly keys: TrustedKeys;
  readonly maxBytes: number;
  readonly logger: Logger;
  /**
   * Where refused updates are logged, rate-limited per code (a client retrying a bad update in a
   * loop costs a bounded number of lines). @default a RateLimitedLog of `logger` with its default limits
   */
  readonly log?: RateLimitedLog;
  /** Persists each applied map; omitted, nothing survives a restart. */
  readonly store?: RouteMapStore;
  /** Makes sure a new table's topics exist before it is swapped in. */
  readonly topics?: TopicProvisioner;
  /** Where applied admin updates go to reach the other edges. */
  readonly feed?: RouteMapFeed;
}

const HISTORY_LIMIT = 100;
const APPLY_SAMPLES = 1000;

/**
 * The route control plane of one edge. Every update, from the admin API or from the route map topic,
 * runs the same pipeline one at a time: size cap, decode, signature, version, compile (core's
 * `verifyRouteUpdate`), then topics, swap of the one table reference, persist, publish. A refused
 * update changes nothing. Frames already being routed keep the table they started with.
 */
export class RouteControl {
  readonly #options: RouteControlOptions;
  readonly #log: RateLimitedLog;
  /** The RouteMap message of each snapshot, decoded from its signed bytes only when someone asks for it. */
  readonly #routeMaps = new WeakMap<RouteSnapshot | CanarySnapshot, RouteMap>();
  readonly #history: AppliedRouteMap[] = [];
  readonly #watchers = new Set<(applied: AppliedRouteMap) => void>();
  readonly #refusalWatchers = new Set<(refused: RefusedUpdate) => void>();
  #queue: Promise<unknown> = Promise.resolve();
  readonly #ignoredLog: IgnoredTopicRecordLog;
  readonly stats: RouteControlStats = {
    applied: 0,
    refused: {},
    topicIgnored: { forged: 0, stale: 0, invalid: 0, alreadyApplied: 0 },
    applyMs: [],
  };

  constructor(options: RouteControlOptions) {
    this.#options = options;
    this.#log = options.log ?? new RateLimitedLog(options.logger);
    this.#ignoredLog = new IgnoredTopicRecordLog(options.logger);
    this.#history.push(options.routes.snapshot.applied);
  }

  /** The version in force and how it got there. */
  get current(): AppliedRouteMap {
    return this.#options.routes.snapshot.applied;
  }

  /** The canary running beside the stable map, or undefined when none runs. */
  get canary(): CanarySnapshot | undefined {
    return this.#options.routes.snapshot.canary;
  }

  /** What the stable map, then the canary, routed on this edge since each was applied. */
  versionCounts(): EdgeVersionCount[] {
    const snapshot = this.#options.routes.snapshot;
    const count = (table: RouteTable, role: "stable" | "canary"): EdgeVersionCount => ({
      version: table.versionText,
      role,
      ...table.counts,
    });
    const stable = count(snapshot.table, "stable");
    return snapshot.canary === undefined ? [stable] : [stable, count(snapshot.canary.table, "canary")];
  }

  /** The RouteMap message in force (decoded on first use after each update, off the apply path). */
  get routeMap(): RouteMap {
    return this.#messageOf(this.#options.routes.snapshot);
  }

  /** The canary's RouteMap message, or undefined when no canary runs. */
  get canaryRouteMap(): RouteMap | undefined {
    const canary = this.#options.routes.snapshot.canary;
    return canary === undefined ? undefined : this.#messageOf(canary);
  }

  #messageOf(snapshot: RouteSnapshot | CanarySnapshot): RouteMap {
    let message = this.#routeMaps.get(snapshot);
    if (message === undefined) {
      message = snapshot.signed === undefined
        ? snapshot.table.map as RouteMap
        : fromBinary(RouteMapSchema, fromBinary(SignedRouteMapSchema, snapshot.signed).routeMap);
      this.#routeMaps.set(snapshot, message);
    }
    return message;
  }

  /** The newest version in force: the canary's while one runs, else the stable map's. */
  get #latestVersion(): bigint {
    const snapshot = this.#options.routes.snapshot;
    return snapshot.canary?.table.version ?? snapshot.table.version;
  }

  /** Applied versions, oldest first (the latest 100). */
  history(): readonly AppliedRouteMap[] {
    return [...this.#history];
  }

  /**
   * Loads the persisted map, verifies it again against today's trusted keys and applies it.
   * Returns why it was not used, or undefined when it was (or there was none).
   */
  async restore(): Promise<string | undefined> {
    const store = this.#options.store;
    if (store === undefined) return undefined;
    let stored;
    let storedCanary;
    try {
      stored = await store.load();
      storedCanary = await store.loadCanary();
    } catch (error) {
      return `cannot read ${store.path}: ${(error as Error).message}`;
    }
    if (stored !== undefined) {
      const outcome = await this.#serialised(() => this.#apply(stored.bytes, "state", false));
      if (!outcome.ok) return `${store.path}: ${outcome.error.code}: ${outcome.error.message}`;
    }
    // The canary runs beside the restored stable map, or beside the embedded default when none was saved.
    if (storedCanary === undefined) return undefined;
    const canary = await this.#serialised(() => this.#apply(storedCanary, "state", false));
    // A stale canary was ended by the stable map saved after it (a crash before its file was removed).
    if (canary.ok || canary.error.code === "STALE_ROUTE_MAP") return undefined;
    return `${store.canaryPath}: ${canary.error.code}: ${canary.error.message}`;
  }

  /** Applies a signed map from the admin API: raw SignedRouteMap bytes, or a decoded one with its body size. */
  update(input: Uint8Array | { signed: SignedRouteMap; size: number }): Promise<UpdateOutcome> {
    return this.#serialised(() => this.#apply(input, "admin", true));
  }

  /** Applies a record read from the route map topic; forged, stale and invalid records are counted and dropped. */
  async applyTopicRecord(bytes: Uint8Array): Promise<UpdateOutcome> {
    const outcome = await this.#serialised(() => this.#apply(bytes, "topic", false));
    if (!outcome.ok) {
      const code = outcome.error.code;
      const kind = ignoredTopicRecord(code, this.#options.routes.snapshot, bytes);
      this.stats.topicIgnored[kind]++;
      if (kind !== "alreadyApplied") {
        this.#ignoredLog.warn(kind, code, outcome.error.message, this.stats.topicIgnored);
      }
    }
    return outcome;
  }

  /**
   * Calls `listener` with every update refused from now on, but for stale ones (a replay, or this
   * edge's own map read back from the route map topic); returns a function that stops it.
   */
  onRefused(listener: (refused: RefusedUpdate) => void): () => void {
    this.#refusalWatchers.add(listener);
    return () => this.#refusalWatchers.delete(listener);
  }

  /** Calls `listener` with every version applied from now on; returns a function that stops it. */
  onApplied(listener: (applied: AppliedRouteMap) => void): () => void {
    this.#watchers.add(listener);
    return () => this.#watchers.delete(listener);
  }

  #serialised<T>(step: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(step, step);
    this.#queue = next.catch(() => {});
    return next;
  }

  async #apply(
    input: Uint8Array | { signed: SignedRouteMap; size: number },
    source: RouteMapOrigin,
    publish: boolean,
  ): Promise<UpdateOutcome> {
    const { routes, keys, maxBytes, logger } = this.#options;
    const started = performance.now();
    const result = await verifyRouteUpdate(input, {
      keys,
      currentVersion: this.#latestVersion,
      maxBytes,
      table: routes.table,
      schemas: { previous: routes.table.compiledSchemas },
      pause: slicedPause(SCHEMA_COMPILE_SLICE_MS),
    });
    if (!isVerified(result)) return this.#refused(result.error, source, result.problems, input);
    const verifiedMs = performance.now() - started;

    let topicsMs = 0;
    // A restored map is swapped in before Kafka is reachable; the edge ensures its topics before it
    // reports ready, so no event is routed to a topic that does not exist.
    if (this.#options.topics && source !== "state") {
      const topicsStarted = performance.now();
      try {
        await this.#options.topics.ensure(result.table.topics);
      } catch (cause) {
        return this.#refused(
          new VeltrixError("ROUTE_TOPICS_UNAVAILABLE", `topics not ready: ${(cause as Error).message}`, { cause }),
          source,
          undefined,
          input,
        );
      }
      topicsMs = performance.now() - topicsStarted;
      // Another update cannot have slipped in (updates are serialised), but the table must still be newer.
      if (result.routeMap.version <= this.#latestVersion) {
        return this.#refused(new VeltrixError("STALE_ROUTE_MAP", "a newer map was applied meanwhile"), source);
      }
    }

    const signed = input instanceof Uint8Array ? input : toBinary(SignedRouteMapSchema, result.signed);
    const swapStarted = performance.now();
    // A canary runs beside the stable map; any other update becomes the stable map and ends the canary.
    const next = nextRouteSnapshot(routes.snapshot, result, signed, source, verifiedMs);
    const { cohort, endedCanary } = next;
    routes.swap(next.snapshot);
    const applyMs = verifiedMs + (performance.now() - swapStarted);
    this.#record(next.applied);
    logger.info(cohort === undefined ? "route map applied" : "canary route map applied", {
      version: result.routeMap.version,
      keyId: result.keyId,
      source,
      routes: result.table.routes.length,
      applyMs: round(applyMs),
      topicsMs: round(topicsMs),
      ...(cohort === undefined ? {} : { cohort }),
      ...(endedCanary === undefined ? {} : { endedCanary: endedCanary.table.version }),
    });

    if (this.#options.store && source !== "state") {
      try {
        if (cohort === undefined) await this.#options.store.save(signed);
        else await this.#options.store.saveCanary(signed);
      } catch (error) {
        logger.error("could not persist the applied route map; a restart would lose it", { error });
      }
    }
    let published = false;
    if (publish && this.#options.feed) {
      try {
        await this.#options.feed.publish({ signed, version: result.routeMap.version });
        published = true;
      } catch (error) {
        logger.error("could not publish the applied route map to the route map topic", { error });
      }
    }
    return { ok: true, applied: next.applied, published };
  }

  #record(applied: AppliedRouteMap): void {
    this.#history.push(applied);
    if (this.#history.length > HISTORY_LIMIT) this.#history.shift();
    this.stats.applied++;
    this.stats.applyMs.push(applied.applyMs);
    if (this.stats.applyMs.length > APPLY_SAMPLES) this.stats.applyMs.shift();
    for (const watcher of this.#watchers) {
      try {
        watcher(applied);
      } catch {
        // A failing watcher must not fail the update.
      }
    }
  }

  #refused(
    error: VeltrixError,
    source: RouteMapOrigin,
    problems?: readonly RouteMapProblem[],
    input?: Uint8Array | { signed: SignedRouteMap },
  ): UpdateOutcome {
    this.stats.refused[error.code] = (this.stats.refused[error.code] ?? 0) + 1;
    if (error.code !== "STALE_ROUTE_MAP" && this.#refusalWatchers.size > 0) {
      const refused = { version: input === undefined ? undefined : claimedRouteMapVersion(input), error, source };
      for (const watcher of this.#refusalWatchers) {
        try {
          watcher(refused);
        } catch {
          // A failing watcher must not change the outcome.
        }
      }
    }
    if (source === "admin") {
      this.#log.warn(`route-update.refused:${error.code}`, "route update refused", {
        code: error.code,
        reason: error.message,
      });
    }
    return {
      ok: false,
      error,
      ...(problems ? { problems } : {}),
      currentVersion: this.#latestVersion,
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
