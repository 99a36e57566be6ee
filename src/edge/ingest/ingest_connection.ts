import { Admission, DEFAULT_RETRY_AFTER_MS } from "../../core/admission/admission.ts";
import {
  decodeBinaryClientFrame,
  type DecodedClientFrame,
  decodeJsonClientFrame,
} from "../../core/frames/client_frame_codec.ts";
import type { EventReject } from "../../core/frames/frame_types.ts";
import type { DeliveryListener } from "../../core/routing/delivery_listener.ts";
import { closeFrameOf, errorCodes } from "../../core/errors/error_code.ts";
import type { RecentEvent } from "../../core/admission/recent_event_ids.ts";
import { isReject, routeEvent } from "../../core/routing/route_event.ts";
import type { TokenBucket } from "../../core/admission/token_bucket.ts";
import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import { nextEdgeSpanId } from "./edge_span_ids.ts";
import type { IngestContext } from "./ingest_context.ts";
import { ReplyChannel, type ReplySocket } from "./reply_channel.ts";

/** The encodings a connection has sent frames in so far. */
export type IngestProtocol = "none" | "json" | "binary" | "mixed";

/** Protocols by the bits of the encodings seen: 1 JSON, 2 binary. */
const PROTOCOLS: readonly IngestProtocol[] = ["none", "json", "binary", "mixed"];

/** Rate-limit keys of reject log lines, one per code, made once so that a reject allocates none. */
const REJECT_LOG_KEYS: ReadonlyMap<string, string> = new Map(
  Object.keys(errorCodes).map((code) => [code, `reject:${code}`]),
);

/** One reply channel per encoding, and the listener its submitted events settle through. */
interface Encoding {
  readonly replies: ReplyChannel;
  readonly settled: DeliveryListener;
}

/**
 * One authenticated game client: reads its frames, admits and routes each event through the
 * table in force when the frame arrived, hands the records to the batcher, and acks each event
 * once Kafka has every record of it. Replies use the encoding of the frame they answer.
 */
export class IngestConnection {
  /** Names this connection in log lines. */
  readonly id: string = crypto.randomUUID();
  /** The authenticated player this connection speaks for. */
  readonly player: string;
  readonly #context: IngestContext;
  readonly #socket: ReplySocket;
  readonly #admission: Admission;
  readonly #json: Encoding;
  readonly #binary: Encoding;
  #rejected = 0;
  #frames = 0;
  /** Bit 1: a text (JSON) frame came; bit 2: a binary (protobuf) one. */
  #encodings = 0;
  #inFlight = 0;
  #lastActivityMs = Date.now();

  /** `playerBucket` is shared by every connection of the player on this edge (the per-player rate limit). */
  constructor(socket: ReplySocket, player: string, context: IngestContext, playerBucket?: TokenBucket) {
    this.player = player;
    this.#context = context;
    this.#socket = socket;
    this.#admission = new Admission(context.limits, Date.now(), playerBucket);
    this.#json = this.#encoding(false);
    this.#binary = this.#encoding(true);
  }

  /** Handles one WebSocket message: a string is a JSON frame, bytes a protobuf frame. */
  receive(data: string | ArrayBuffer | Uint8Array): void {
    const receivedAtMs = Date.now();
    const { replies, settled } = typeof data === "string" ? this.#json : this.#binary;
    const frame = this.#readFrame(data, replies, receivedAtMs);
    if (frame === undefined) return;
    const { routes, batcher, edgeId, recent, limits, metrics, traffic } = this.#context;
    const table = routes.table;
    const stamp = {
      player: this.player,
      receivedAtMs,
      edgeId,
      routeVersion: table.versionText,
      spanIds: nextEdgeSpanId,
    };
    const seen = recent?.player(this.player);
    for (const event of frame.events) {
      if (seen !== undefined && this.#answeredAsResend(seen.get(event.id), event.id, replies)) continue;
      const refusal = this.#admission.refuse(event.id, receivedAtMs, this.#inFlight);
      if (refusal !== undefined) {
        replies.reject(refusal);
        if (this.#admission.abusive) return this.#close(closeFrameOf("RATE_LIMITED"));
        continue;
      }
      traffic?.record(event.type, event.data, receivedAtMs);
      const routed = routeEvent(event, table, stamp, limits.maxEventBytes);
      if (isReject(routed)) {
        if (routed.code === "NO_ROUTE") metrics.unrouted();
        replies.reject(routed);
        continue;
      }
      if (routed.deadLettered) metrics.unrouted();
      if (!batcher.submit(routed.records, routed.bytes, settled, event.id, receivedAtMs)) {
        replies.reject(overloaded(event.id));
        continue;
      }
      this.#inFlight++;
      if (seen !== undefined) recent!.begin(seen, event.id);
      if (routed.deadLettered) metrics.deadLettered();
      for (const record of routed.records) metrics.routed(record.topic);
    }
  }

  /** Events acked to this connection so far (resent duplicates included). */
  get acked(): number {
    return this.#json.replies.acked + this.#binary.replies.acked;
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

  /** When this connection last sent a frame, in ms since the epoch. */
  get lastActivityMs(): number {
    return this.#lastActivityMs;
  }

  /** Events of this connection written to Kafka but not yet acknowledged by it. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Checks the frame's size, decodes it and answers the events it could not read. Returns the
   * frame when it has events to route, or undefined when it has none, the edge is draining (each
   * event then gets SHUTTING_DOWN) or the frame could not be read (the client got a frame error).
   */
  #readFrame(data: string | ArrayBuffer | Uint8Array, replies: ReplyChannel, nowMs: number) {
    this.#lastActivityMs = nowMs;
    this.#frames++;
    const binary = typeof data !== "string";
    this.#encodings |= binary ? 2 : 1;
    const limits = this.#context.limits;
    const size = binary ? data.byteLength : data.length;
    if (size > limits.maxFrameBytes) {
      const error = new VeltrixError("FRAME_TOO_LARGE", `frame is ${size} bytes; the limit is ${limits.maxFrameBytes}`);
      this.#frameRejected(error, replies);
      this.#close(closeFrameOf("FRAME_TOO_LARGE"));
      return undefined;
    }
    let frame: DecodedClientFrame;
    try {
      frame = binary
        ? decodeBinaryClientFrame(data instanceof Uint8Array ? data : new Uint8Array(data), limits.frame)
        : decodeJsonClientFrame(data, limits.frame);
    } catch (cause) {
      this.#frameRejected(VeltrixError.from(cause, "INVALID_FRAME"), replies);
      return undefined;
    }
    this.#context.metrics.received(frame.events.length + frame.rejects.length);
    for (const reject of frame.rejects) replies.reject(reject);
    if (frame.events.length === 0) return undefined;
    if (this.#context.draining.value) {
      for (const event of frame.events) replies.reject(shuttingDown(event.id));
      return undefined;
    }
    return frame;
  }

  /**
   * Answers a resend of an event this player sent recently: acked again at once when its first
   * copy was acked, or on the first copy's outcome while that is in flight. Never written twice.
   */
  #answeredAsResend(earlier: RecentEvent | undefined, id: string, replies: ReplyChannel): boolean {
    if (earlier === undefined) return false;
    this.#context.metrics.duplicate();
    if (earlier.acked) replies.delivered(id);
    else (earlier.waiters ??= []).push(replies);
    return true;
  }

  /** The reply channel of one encoding, and the listener that settles the events submitted through it. */
  #encoding(binary: boolean): Encoding {
    const replies = new ReplyChannel(this.#socket, binary, (code) => this.#onReject(code));
    const recent = this.#context.recent;
    const settled: DeliveryListener = {
      delivered: (id) => {
        this.#inFlight--;
        replies.delivered(id);
        const waiters = recent?.acked(this.player, id);
        if (waiters) { for (const waiter of waiters) waiter.delivered(id); }
      },
      failed: (id, error) => {
        this.#inFlight--;
        replies.failed(id, error);
        const waiters = recent?.failed(this.player, id);
        if (waiters) { for (const waiter of waiters) waiter.failed(id, error); }
      },
    };
    return { replies, settled };
  }

  #close(frame: { readonly code: number; readonly reason: string }): void {
    this.#socket.close?.(frame.code, frame.reason);
  }

  /** Counts a reject for metrics and this connection; logs it unless its code already logged enough. */
  #onReject(code: string): void {
    this.#rejected++;
    this.#context.metrics.rejected(code);
    const log = this.#context.log;
    const key = REJECT_LOG_KEYS.get(code) ?? "reject:other";
    if (!log.admit(key)) return;
    log.emit("warn", key, "event rejected", {
      code,
      connection: this.id,
      player: this.player,
      rejectedOnConnection: this.#rejected,
    });
  }

  /** Answers a frame the edge cannot take, and logs it unless its code already logged enough. */
  #frameRejected(error: VeltrixError, replies: ReplyChannel): void {
    replies.sendError(error);
    const log = this.#context.log;
    const key = REJECT_LOG_KEYS.get(error.code) ?? "reject:other";
    if (!log.admit(key)) return;
    log.emit("warn", key, "frame rejected", {
      code: error.code,
      reason: error.message,
      connection: this.id,
      player: this.player,
    });
  }
}

function overloaded(id: string): EventReject {
  return {
    id,
    code: "OVERLOADED",
    message: "the edge is holding as many unacknowledged events as it may",
    retryAfterMs: DEFAULT_RETRY_AFTER_MS,
  };
}

function shuttingDown(id: string): EventReject {
  return {
    id,
    code: "SHUTTING_DOWN",
    message: "the edge is shutting down; resend to another edge",
    retryAfterMs: DEFAULT_RETRY_AFTER_MS,
  };
}
