import { buildRecords } from "../../core/build_records.ts";
import {
  decodeBinaryClientFrame,
  type DecodedClientFrame,
  decodeJsonClientFrame,
  DEFAULT_FRAME_LIMITS,
  type FrameLimits,
} from "../../core/client_frame_codec.ts";
import { errorCodes } from "../../core/error_code.ts";
import type { RateLimitedLog } from "../../core/rate_limited_log.ts";
import { TokenBucket } from "../../core/token_bucket.ts";
import type { RecentEventIds } from "../../core/recent_event_ids.ts";
import { VeltrixError } from "../../core/veltrix_error.ts";
import type { ActiveRouteTable } from "../../core/live_route_table.ts";
import type { IngestMetrics } from "../edge_metrics.ts";
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
  /** Where rejects are logged (`event rejected`, `frame rejected`), rate-limited per code. */
  readonly log?: RateLimitedLog;
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

/** The encodings a connection has sent frames in so far. */
export type IngestProtocol = "none" | "json" | "binary" | "mixed";

/** Protocols by the bits of the encodings seen: 1 JSON, 2 binary. */
const PROTOCOLS: readonly IngestProtocol[] = ["none", "json", "binary", "mixed"];

/** Rate-limit keys of reject log lines, one per code, made once so that a reject allocates none. */
const REJECT_LOG_KEYS: ReadonlyMap<string, string> = new Map(
  Object.keys(errorCodes).map((code) => [code, `reject:${code}`]),
);

/** The rate-limit key of reject log lines with `code`. */
function rejectLogKey(code: string): string {
  return REJECT_LOG_KEYS.get(code) ?? "reject:other";
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
  /** Names this connection in log lines. */
  readonly id: string = crypto.randomUUID();
  readonly #player: string;
  readonly #context: IngestContext;
  readonly #json: ReplyChannel;
  readonly #binary: ReplyChannel;
  /** The channels, counting the acks that go out through them. */
  readonly #jsonReplies: DeliveryListener;
  readonly #binaryReplies: DeliveryListener;
  readonly #jsonOutcomes: DeliveryListener;
  readonly #binaryOutcomes: DeliveryListener;
  #acked = 0;
  #rejected = 0;
  #frames = 0;
  /** Bit 1: a text (JSON) frame came; bit 2: a binary (protobuf) one. */
  #encodings = 0;
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
    const onReject = (code: string) => this.#onReject(code);
    this.#json = new ReplyChannel(socket, false, onReject);
    this.#binary = new ReplyChannel(socket, true, onReject);
    this.#jsonReplies = this.#countingAcks(this.#json);
    this.#binaryReplies = this.#countingAcks(this.#binary);
    this.#jsonOutcomes = this.#outcomes(this.#jsonReplies);
    this.#binaryOutcomes = this.#outcomes(this.#binaryReplies);
  }

  /** Events acked to this connection so far (resent duplicates included). */
  get acked(): number {
    return this.#acked;
  }

  /** Events rejected to this connection so far. */
  get rejected(): number {
    return this.#rejected;
  }

  /** Frames received so far. */
  get frames(): number {
    return this.#frames;
  }

  /** The encodings of the frames received so far. */
  get protocol(): IngestProtocol {
    return PROTOCOLS[this.#encodings]!;
  }

  /** Counts a reject for metrics and this connection; logs it unless its code already logged enough. */
  #onReject(code: string): void {
    this.#rejected++;
    this.#context.metrics?.rejected(code);
    const log = this.#context.log;
    if (log === undefined) return;
    const key = rejectLogKey(code);
    if (!log.admit(key)) return;
    log.emit("warn", key, "event rejected", {
      code,
      connection: this.id,
      player: this.#player,
      rejectedOnConnection: this.#rejected,
    });
  }

  /** Logs a frame the edge cannot take, unless its code already logged enough. */
  #logFrameRejected(error: VeltrixError): void {
    const log = this.#context.log;
    if (log === undefined) return;
    const key = rejectLogKey(error.code);
    if (!log.admit(key)) return;
    log.emit("warn", key, "frame rejected", {
      code: error.code,
      reason: error.message,
      connection: this.id,
      player: this.#player,
    });
  }

  /** `channel`, counting the acks sent through it. */
  #countingAcks(channel: ReplyChannel): DeliveryListener {
    return {
      delivered: (id) => {
        this.#acked++;
        channel.delivered(id);
      },
      failed: (id, error) => channel.failed(id, error),
    };
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
  #outcomes(channel: DeliveryListener): DeliveryListener {
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
    this.#frames++;
    this.#encodings |= binary ? 2 : 1;
    const limits = this.#context.limits;
    if (limits !== undefined) {
      const size = typeof data === "string" ? data.length : data.byteLength;
      if (size > limits.maxFrameBytes) {
        const error = new VeltrixError(
          "FRAME_TOO_LARGE",
          `frame is ${size} bytes; the limit is ${limits.maxFrameBytes}`,
        );
        channel.sendError(error);
        this.#logFrameRejected(error);
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
    } catch (cause) {
      const error = VeltrixError.from(cause, "INVALID_FRAME");
      channel.sendError(error);
      this.#logFrameRejected(error);
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
    const replies = binary ? this.#binaryReplies : this.#jsonReplies;
    const seen = recent?.player(this.#player);
    const table = routes.current;
    const stamp = { player: this.#player, receivedAtMs, edgeId, routeVersion: table.versionText };
    for (const event of frame.events) {
      const earlier = seen?.get(event.id);
      if (earlier !== undefined) {
        // A resend of an event this player sent recently: ack it again, never write it twice.
        if (this.#context.counters) this.#context.counters.duplicates++;
        metrics?.duplicate();
        if (earlier.acked) replies.delivered(event.id);
        else (earlier.waiters ??= []).push(replies);
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
