import { buildRecords } from "../core/build_records.ts";
import {
  decodeBinaryClientFrame,
  type DecodedClientFrame,
  decodeJsonClientFrame,
  DEFAULT_FRAME_LIMITS,
  type FrameLimits,
} from "../core/client_frame_codec.ts";
import { errorCodes } from "../core/error_code.ts";
import { TokenBucket } from "../core/token_bucket.ts";
import type { RecentEventIds } from "../core/recent_event_ids.ts";
import { VeltrixError } from "../core/veltrix_error.ts";
import type { ActiveRouteTable } from "../control/active_route_table.ts";
import type { IngestMetrics } from "./edge_metrics.ts";
import type { DeliveryListener, ProduceBatcher } from "./produce_batcher.ts";
import { DEFAULT_RETRY_AFTER_MS, ReplyChannel, type ReplySocket } from "./reply_channel.ts";

/** What every connection of an edge shares. */
export interface IngestContext {
  readonly routes: ActiveRouteTable;
  readonly batcher: ProduceBatcher;
  readonly edgeId: string;
  /** Set once the edge is shutting down: new events are refused with SHUTTING_DOWN from then on. */
  readonly draining?: { readonly value: boolean };
  /** Recent ids per player, shared by all connections: resent duplicates are acked, not rewritten. */
  readonly recent?: RecentEventIds;
  /** Unacked events one connection may hold; past it, new events get OVERLOADED. @default Infinity */
  readonly maxInFlightPerConnection?: number;
  /** Counters every connection adds to. */
  readonly counters?: IngestCounters;
  /** Size and rate limits; unset ones do not apply. */
  readonly limits?: IngestLimits;
  readonly metrics?: IngestMetrics;
}

/** What one connection may send. */
export interface IngestLimits {
  /** Largest frame, in bytes (characters for text frames); larger closes the connection with 1009. */
  readonly maxFrameBytes: number;
  readonly frame: FrameLimits;
  /** Largest routed event (its record value), in bytes; larger gets EVENT_TOO_LARGE. */
  readonly maxEventBytes: number;
  /** Events per second one connection may send (bursts of twice that). */
  readonly ratePerConnection: number;
  /** RATE_LIMITED rejects a connection may earn within 10 s before it is closed with 1008. */
  readonly abuseLimit: number;
}

/** Counters every connection adds to. */
export interface IngestCounters {
  /** Resent events acked again (or on their first copy's ack) instead of being rewritten. */
  duplicates: number;
}

/**
 * One authenticated game client: reads its frames, routes each event through the table in force
 * when the frame arrived, hands the records to the batcher, and acks each event once Kafka has
 * every record of it. Replies use the encoding of the frame they answer.
 */
export class IngestConnection {
  readonly #player: string;
  readonly #context: IngestContext;
  readonly #json: ReplyChannel;
  readonly #binary: ReplyChannel;
  readonly #jsonOutcomes: DeliveryListener;
  readonly #binaryOutcomes: DeliveryListener;
  #inFlight = 0;
  readonly #socket: ReplySocket;
  readonly #connectionBucket: TokenBucket | undefined;
  readonly #playerBucket: TokenBucket | undefined;
  #limitedInWindow = 0;
  #windowStartedAt = 0;
  #lastActivityMs = Date.now();

  /**
   * `playerBucket` is shared by every connection of the player on this edge (the per-player rate
   * limit); the per-connection bucket is made here from `context.limits`.
   */
  constructor(socket: ReplySocket, player: string, context: IngestContext, playerBucket?: TokenBucket) {
    this.#player = player;
    this.#context = context;
    this.#socket = socket;
    const rate = context.limits?.ratePerConnection;
    this.#connectionBucket = rate === undefined ? undefined : new TokenBucket(rate, rate * 2, Date.now());
    this.#playerBucket = playerBucket;
    const metrics = context.metrics;
    const onReject = metrics === undefined ? undefined : (code: string) => metrics.rejected(code);
    this.#json = new ReplyChannel(socket, false, onReject);
    this.#binary = new ReplyChannel(socket, true, onReject);
    this.#jsonOutcomes = this.#outcomes(this.#json);
    this.#binaryOutcomes = this.#outcomes(this.#binary);
  }

  /** When this connection last sent a frame, in ms since the epoch. */
  get lastActivityMs(): number {
    return this.#lastActivityMs;
  }

  /** Events of this connection written to Kafka but not yet acknowledged by it. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Takes one token from the connection's and the player's buckets; false when either is empty. */
  #withinRate(nowMs: number): boolean {
    if (this.#connectionBucket !== undefined && !this.#connectionBucket.take(nowMs)) return false;
    if (this.#playerBucket !== undefined && !this.#playerBucket.take(nowMs)) return false;
    return true;
  }

  /** Counts a RATE_LIMITED reject; true once the connection has earned more than the abuse limit in 10 s. */
  #abusing(nowMs: number): boolean {
    if (nowMs - this.#windowStartedAt > 10_000) {
      this.#windowStartedAt = nowMs;
      this.#limitedInWindow = 0;
    }
    this.#limitedInWindow++;
    return this.#limitedInWindow > (this.#context.limits?.abuseLimit ?? Infinity);
  }

  /** Reports an event's outcome to its channel and to any duplicates that waited on it. */
  #outcomes(channel: ReplyChannel): DeliveryListener {
    const recent = this.#context.recent;
    const player = this.#player;
    return {
      delivered: (id) => {
        this.#inFlight--;
        channel.delivered(id);
        const waiters = recent?.acked(player, id);
        if (waiters) { for (const waiter of waiters) waiter.delivered(id); }
      },
      failed: (id, error) => {
        this.#inFlight--;
        channel.failed(id, error);
        const waiters = recent?.failed(player, id);
        if (waiters) { for (const waiter of waiters) waiter.failed(id, error); }
      },
    };
  }

  /** The authenticated player this connection speaks for. */
  get player(): string {
    return this.#player;
  }

  /** Handles one WebSocket message: a string is a JSON frame, bytes a protobuf frame. */
  receive(data: string | ArrayBuffer | Uint8Array): void {
    const receivedAtMs = Date.now();
    this.#lastActivityMs = receivedAtMs;
    const binary = typeof data !== "string";
    const channel = binary ? this.#binary : this.#json;
    const limits = this.#context.limits;
    if (limits !== undefined) {
      const size = typeof data === "string" ? data.length : data.byteLength;
      if (size > limits.maxFrameBytes) {
        const error = new VeltrixError(
          "FRAME_TOO_LARGE",
          `frame is ${size} bytes; the limit is ${limits.maxFrameBytes}`,
        );
        channel.sendError(error);
        this.#socket.close?.(errorCodes.FRAME_TOO_LARGE.close, "FRAME_TOO_LARGE");
        return;
      }
    }
    const frameLimits = limits?.frame ?? DEFAULT_FRAME_LIMITS;
    let frame: DecodedClientFrame;
    try {
      frame = binary
        ? decodeBinaryClientFrame(data instanceof Uint8Array ? data : new Uint8Array(data), frameLimits)
        : decodeJsonClientFrame(data, frameLimits);
    } catch (error) {
      channel.sendError(VeltrixError.from(error, "INVALID_FRAME"));
      return;
    }
    const metrics = this.#context.metrics;
    metrics?.received(frame.events.length + frame.rejects.length);
    for (const reject of frame.rejects) channel.reject(reject);
    if (frame.events.length === 0) return;
    if (this.#context.draining?.value) {
      for (const event of frame.events) {
        channel.reject({
          id: event.id,
          code: "SHUTTING_DOWN",
          message: "the edge is shutting down; resend to another edge",
          retryAfterMs: DEFAULT_RETRY_AFTER_MS,
        });
      }
      return;
    }

    const { routes, batcher, edgeId, recent } = this.#context;
    const limit = this.#context.maxInFlightPerConnection ?? Infinity;
    const outcomes = binary ? this.#binaryOutcomes : this.#jsonOutcomes;
    const seen = recent?.player(this.#player);
    const table = routes.current;
    const stamp = { player: this.#player, receivedAtMs, edgeId, routeVersion: table.versionText };
    for (const event of frame.events) {
      const earlier = seen?.get(event.id);
      if (earlier !== undefined) {
        // A resend of an event this player sent recently: ack it again, never write it twice.
        if (this.#context.counters) this.#context.counters.duplicates++;
        metrics?.duplicate();
        if (earlier.acked) channel.delivered(event.id);
        else (earlier.waiters ??= []).push(channel);
        continue;
      }
      if (!this.#withinRate(receivedAtMs)) {
        const wait = Math.max(
          this.#connectionBucket?.msUntilNext(receivedAtMs) ?? 0,
          this.#playerBucket?.msUntilNext(receivedAtMs) ?? 0,
        );
        channel.reject({
          id: event.id,
          code: "RATE_LIMITED",
          message: "sending faster than the rate limit",
          retryAfterMs: Math.max(wait, 10),
        });
        if (this.#abusing(receivedAtMs)) {
          this.#socket.close?.(errorCodes.RATE_LIMITED.close, "RATE_LIMITED");
          return;
        }
        continue;
      }
      if (this.#inFlight >= limit) {
        channel.reject({
          id: event.id,
          code: "OVERLOADED",
          message: `this connection already has ${limit} events waiting for Kafka`,
          retryAfterMs: DEFAULT_RETRY_AFTER_MS,
        });
        continue;
      }
      const resolution = table.resolve(event.type);
      if (metrics !== undefined && (resolution.deadLettered || resolution.targets.length === 0)) metrics.unrouted();
      if (resolution.targets.length === 0) {
        channel.reject({
          id: event.id,
          code: "NO_ROUTE",
          message: `no route matches type "${event.type}" and route map ${table.versionText} has no dead-letter topic`,
        });
        continue;
      }
      let built;
      try {
        built = buildRecords(event, resolution, stamp);
      } catch (error) {
        channel.reject({
          id: event.id,
          code: "INVALID_EVENT",
          message: `event cannot be encoded: ${(error as Error).message}`,
        });
        continue;
      }
      const eventBytes = built.records[0]!.value.length;
      if (limits !== undefined && eventBytes > limits.maxEventBytes) {
        channel.reject({
          id: event.id,
          code: "EVENT_TOO_LARGE",
          message: `event is ${eventBytes} bytes as routed; the limit is ${limits.maxEventBytes}`,
        });
        continue;
      }
      if (!batcher.submit(built.records, built.bytes, outcomes, event.id, receivedAtMs)) {
        channel.reject({
          id: event.id,
          code: "OVERLOADED",
          message: "the edge is holding as many unacknowledged events as it may",
          retryAfterMs: DEFAULT_RETRY_AFTER_MS,
        });
        continue;
      }
      this.#inFlight++;
      if (seen !== undefined) recent!.begin(seen, event.id);
      if (metrics !== undefined) {
        if (resolution.deadLettered) metrics.deadLettered();
        for (const record of built.records) metrics.routed(record.topic);
      }
    }
  }
}
