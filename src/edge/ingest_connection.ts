import { buildRecords } from "../core/build_records.ts";
import { decodeBinaryClientFrame, type DecodedClientFrame, decodeJsonClientFrame } from "../core/client_frame_codec.ts";
import type { RecentEventIds } from "../core/recent_event_ids.ts";
import { VeltrixError } from "../core/veltrix_error.ts";
import type { ActiveRouteTable } from "../control/active_route_table.ts";
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

  constructor(socket: ReplySocket, player: string, context: IngestContext) {
    this.#player = player;
    this.#context = context;
    this.#json = new ReplyChannel(socket, false);
    this.#binary = new ReplyChannel(socket, true);
    this.#jsonOutcomes = this.#outcomes(this.#json);
    this.#binaryOutcomes = this.#outcomes(this.#binary);
  }

  /** Events of this connection written to Kafka but not yet acknowledged by it. */
  get inFlight(): number {
    return this.#inFlight;
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
    const binary = typeof data !== "string";
    const channel = binary ? this.#binary : this.#json;
    let frame: DecodedClientFrame;
    try {
      frame = binary
        ? decodeBinaryClientFrame(data instanceof Uint8Array ? data : new Uint8Array(data))
        : decodeJsonClientFrame(data);
    } catch (error) {
      channel.sendError(VeltrixError.from(error, "INVALID_FRAME"));
      return;
    }
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
        if (earlier.acked) channel.delivered(event.id);
        else (earlier.waiters ??= []).push(channel);
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
      if (!batcher.submit(built.records, built.bytes, outcomes, event.id)) {
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
    }
  }
}
