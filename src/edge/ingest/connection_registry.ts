import { TokenBucket } from "../../core/admission/token_bucket.ts";
import { type TenantBudget, TenantBudgets } from "../../core/admission/tenant_budgets.ts";
import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import { closeFrameOf } from "../../core/errors/error_code.ts";
import { IngestConnection } from "./ingest_connection.ts";
import { SessionExpiry } from "./session_expiry.ts";
import type { IngestContext } from "./ingest_context.ts";
import type { ReplySocket } from "./reply_channel.ts";
import type { PlayerClaims } from "../../core/route_map/canary_cohort.ts";
import type { Tenancy } from "../../core/route_map/tenancy.ts";

/** How many connections the edge takes. */
export interface ConnectionLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerPlayer: number;
  /** Events per second one player may send over all their connections (bursts of twice that). */
  readonly ratePerPlayer: number;
}

/** A socket the registry can close. */
export type RegisteredSocket = ReplySocket & { close(code?: number, reason?: string): void };

/** The tenant of one open connection: its claim value, and the budget of the label the stable map in force gives it. */
interface TenantSeat {
  readonly claim: string | undefined;
  budget: TenantBudget;
}

/** What the edge keeps per player while they have connections open. */
interface PlayerEntry {
  connections: number;
  readonly bucket: TokenBucket | undefined;
}

/**
 * Every open client connection of the edge, and per player their count and shared rate-limit
 * bucket. A player is an identity (`player_identity.ts`): the same `sub` of two trusted issuers is
 * two players, counted and limited apart. An entry lives while its connection is open, so memory follows open connections.
 * Each connection counts against the budget of the tenant label the stable map in force gives its
 * claim: when a new stable map relabels it, it moves to the new label's budget at once, and to
 * that label's produce lane once none of its events is pending ({@link IngestConnection.moveTo}).
 */
export class ConnectionRegistry {
  readonly #context: IngestContext;
  readonly #limits: ConnectionLimits;
  readonly #connections = new Map<RegisteredSocket, IngestConnection>();
  readonly #players = new Map<string, PlayerEntry>();
  /** Per tenant label (listed tenants and "other"): buckets and open connections. */
  readonly #tenants = new TenantBudgets();
  /** The tenant of each open connection. */
  readonly #tenantOf = new Map<RegisteredSocket, TenantSeat>();
  /** The tenancy of the stable map the connections' labels were last given by. */
  #tenancy: Tenancy | undefined;
  /** When each connection's token runs out (plus the clock skew). */
  readonly #expiry = new SessionExpiry<RegisteredSocket>();

  constructor(context: IngestContext, limits: ConnectionLimits) {
    this.#context = context;
    this.#limits = limits;
    context.routes.watch((snapshot) => this.#relabel(snapshot.table.tenancy));
  }

  /** Open connections. */
  get size(): number {
    return this.#connections.size;
  }

  /** Open connections of the player of `identity` (their `sub` for the static keys). */
  connectionsOf(identity: string): number {
    return this.#players.get(identity)?.connections ?? 0;
  }

  /** The sockets of the open connections. */
  sockets(): IterableIterator<RegisteredSocket> {
    return this.#connections.keys();
  }

  /** The budget of `tenant` (a claim value, or undefined) under the map in force. */
  tenantBudget(tenant: string | undefined, nowMs: number = Date.now()): TenantBudget {
    return this.#tenants.budgetOf(this.#context.routes.table.tenancy.quotaOf(tenant), nowMs);
  }

  /** Tells the tenant budgets how many live edges the fleet has: fleet-scoped quotas are divided by it. */
  shareAmong(liveEdges: number, nowMs: number = Date.now()): void {
    this.#tenants.share(liveEdges, nowMs);
  }

  /** The live edges (at least 1) the tenant budgets divide fleet-scoped quotas by. */
  get liveEdges(): number {
    return this.#tenants.liveEdges;
  }

  /** Every tenant budget (listed tenants and "other"), for metrics. */
  tenantBudgets(): IterableIterator<TenantBudget> {
    return this.#tenants.values();
  }

  /** Why the player of `identity`, of `tenant`, may not open another connection now, or undefined when they may. */
  refusal(identity: string, tenant?: string): VeltrixError | undefined {
    if (this.#connections.size >= this.#limits.maxConnections) {
      return new VeltrixError("TOO_MANY_CONNECTIONS", "the edge holds as many connections as it may");
    }
    const budget = this.tenantBudget(tenant);
    if (budget.full) {
      return new VeltrixError(
        "TOO_MANY_CONNECTIONS",
        `tenant ${budget.label} holds its quota of ${budget.quota.maxConnections} connections on this edge`,
      );
    }
    if (this.connectionsOf(identity) >= this.#limits.maxConnectionsPerPlayer) {
      return new VeltrixError(
        "TOO_MANY_PLAYER_CONNECTIONS",
        `at most ${this.#limits.maxConnectionsPerPlayer} connections per player`,
      );
    }
    return undefined;
  }

  /**
   * Registers a new connection of `player` (of `tenant`, its claim value) on `socket`. With `closeAtMs` (its token's `exp` plus the
   * clock skew), {@link closeExpired} closes it then unless an in-band refresh moved the deadline.
   * `identity` (`player_identity.ts`, `player` by default) keys its count, rate bucket and dedupe.
   */
  open(
    socket: RegisteredSocket,
    player: string,
    nowMs: number = Date.now(),
    closeAtMs: number = Infinity,
    claims?: PlayerClaims,
    tenant?: string,
    identity: string = player,
  ): IngestConnection {
    let entry = this.#players.get(identity);
    if (entry === undefined) {
      const rate = this.#limits.ratePerPlayer;
      entry = { connections: 0, bucket: Number.isFinite(rate) ? new TokenBucket(rate, rate * 2, nowMs) : undefined };
      this.#players.set(identity, entry);
    }
    entry.connections++;
    const budget = this.tenantBudget(tenant, nowMs);
    budget.connections++;
    this.#tenantOf.set(socket, { claim: tenant, budget });
    const lane = this.#context.lanes?.join(budget.label);
    const connection = new IngestConnection(socket, player, this.#context, {
      ...(entry.bucket === undefined ? {} : { playerBucket: entry.bucket }),
      ...(lane === undefined ? {} : { lane }),
      ...(claims === undefined ? {} : { claims }),
      tenant: budget,
      identity,
      onRefreshed: (atMs) => {
        if (this.#connections.has(socket)) this.#expiry.schedule(socket, atMs);
      },
    });
    this.#connections.set(socket, connection);
    if (Number.isFinite(closeAtMs)) this.#expiry.schedule(socket, closeAtMs);
    return connection;
  }

  /** Forgets the connection on `socket` once it closed. */
  closed(socket: RegisteredSocket): void {
    const connection = this.#connections.get(socket);
    if (connection === undefined) return;
    this.#connections.delete(socket);
    this.#expiry.cancel(socket);
    const seat = this.#tenantOf.get(socket);
    if (seat !== undefined) seat.budget.connections--;
    this.#tenantOf.delete(socket);
    connection.detach();
    const entry = this.#players.get(connection.identity);
    if (entry !== undefined && --entry.connections <= 0) this.#players.delete(connection.identity);
  }

  /**
   * Follows the tenants of a new stable map: every open connection whose claim it gives another
   * label moves to that label's budget (its count and its quota), even past the label's connection
   * cap (a move closes nothing). A map with the same tenancy (a canary pushed or aborted) moves none.
   */
  #relabel(tenancy: Tenancy): void {
    if (tenancy === this.#tenancy) return;
    this.#tenancy = tenancy;
    if (this.#tenantOf.size === 0) return;
    const nowMs = Date.now();
    let moved = 0;
    for (const [socket, seat] of this.#tenantOf) {
      const quota = tenancy.quotaOf(seat.claim);
      if (quota.name === seat.budget.label) continue;
      const budget = this.#tenants.budgetOf(quota, nowMs);
      seat.budget.connections--;
      budget.connections++;
      seat.budget = budget;
      this.#connections.get(socket)?.moveTo(budget);
      moved++;
    }
    if (moved > 0) {
      this.#context.log.info("tenant.relabelled", "open connections moved to the tenant labels of the new map", {
        moved,
      });
    }
  }

  /** Closes the connections that sent nothing since `cutoffMs` and wait for no ack; returns how many. */
  closeIdle(cutoffMs: number): number {
    let closed = 0;
    for (const connection of this.#connections.values()) {
      if (connection.lastActivityMs >= cutoffMs || connection.inFlight > 0) continue;
      connection.closeWith(1000, "IDLE_TIMEOUT");
      closed++;
    }
    return closed;
  }

  /**
   * Closes the connections whose token ran out by `nowMs` with TOKEN_EXPIRED (4001); returns how
   * many. Only the connections due are touched: call it once a second.
   */
  closeExpired(nowMs: number): number {
    const { code, reason } = closeFrameOf("TOKEN_EXPIRED");
    const due = this.#expiry.due(nowMs);
    for (const socket of due) {
      try {
        this.#connections.get(socket)?.closeWith(code, reason);
      } catch {
        // Already closed.
      }
    }
    return due.length;
  }

  /** Closes every connection with `code` (the edge is stopping). */
  closeAll(code: number, reason: string): void {
    for (const connection of this.#connections.values()) {
      try {
        connection.closeWith(code, reason);
      } catch {
        // Already closed.
      }
    }
  }
}
