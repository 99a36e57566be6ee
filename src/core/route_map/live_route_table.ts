import type { RouteTable } from "./route_table.ts";
import type { CanaryCohort } from "./canary_cohort.ts";

/** Where the route map in force came from: the embedded default, the state dir, the admin API or the route map topic. */
export type RouteMapOrigin = "embedded" | "state" | "admin" | "topic";

/** One applied route map version, as history, watchers and the admin API see it. */
export interface AppliedRouteMap {
  readonly version: bigint;
  /** The signing key; "" for the embedded default. */
  readonly keyId: string;
  readonly appliedAt: Date;
  readonly source: RouteMapOrigin;
  /** How many routes the map has. */
  readonly routeCount: number;
  /** Verify through swap, in ms; 0 for the embedded default. */
  readonly applyMs: number;
  /** Set for a canary: its cohort as operators write it (`10%`, `cohort=beta`). */
  readonly cohort?: string;
}

/**
 * The route map in force, as one immutable value: the compiled table events are routed by, what
 * was applied, and the signed bytes it came from (undefined for the embedded default).
 */
export interface RouteSnapshot {
  readonly table: RouteTable;
  readonly applied: AppliedRouteMap;
  readonly signed: Uint8Array | undefined;
  /** The canary running beside the stable map, routing its cohort's players; undefined when none runs. */
  readonly canary?: CanarySnapshot;
}

/** A canary map in force: its table, what was applied, its signed bytes, and the players it routes. */
export interface CanarySnapshot {
  readonly table: RouteTable;
  readonly applied: AppliedRouteMap;
  readonly signed: Uint8Array;
  readonly cohort: CanaryCohort;
}

/** The snapshot of a table that was not applied by the control plane: the embedded default. */
export function embeddedSnapshot(table: RouteTable, appliedAt: Date = new Date()): RouteSnapshot {
  return Object.freeze({
    table,
    applied: Object.freeze({
      version: table.version,
      keyId: "",
      appliedAt,
      source: "embedded" as const,
      routeCount: table.routes.length,
      applyMs: 0,
    }),
    signed: undefined,
  });
}

/**
 * The one reference to the route map in force. The edge reads `table` once per frame, so an event
 * in flight finishes on the table it started with; the control plane replaces the whole snapshot
 * in one assignment with `swap` and never touches the old one.
 */
export class LiveRouteTable {
  #snapshot: RouteSnapshot;
  readonly #watchers: ((snapshot: RouteSnapshot) => void)[] = [];

  constructor(initial: RouteSnapshot) {
    this.#snapshot = initial;
  }

  /** The table in force now. */
  get table(): RouteTable {
    return this.#snapshot.table;
  }

  /** Everything known of the map in force now. */
  get snapshot(): RouteSnapshot {
    return this.#snapshot;
  }

  /** Puts `next` in force, tells the watchers, and returns the snapshot it replaced. */
  swap(next: RouteSnapshot): RouteSnapshot {
    const previous = this.#snapshot;
    this.#snapshot = Object.freeze(next);
    for (const watcher of this.#watchers) watcher(this.#snapshot);
    return previous;
  }

  /**
   * Tells `watcher` the snapshot in force now, and each one put in force after it, right after the
   * swap (for what must follow the map eagerly, such as the edge's produce lanes). It must not throw.
   */
  watch(watcher: (snapshot: RouteSnapshot) => void): void {
    this.#watchers.push(watcher);
    watcher(this.#snapshot);
  }
}
