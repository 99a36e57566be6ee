import { buildRecords } from "../core/build_records.ts";
import { decodeBinaryClientFrame, type DecodedClientFrame, decodeJsonClientFrame } from "../core/client_frame_codec.ts";
import { VeltrixError } from "../core/veltrix_error.ts";
import type { ActiveRouteTable } from "../control/active_route_table.ts";
import type { ProduceBatcher } from "./produce_batcher.ts";
import { DEFAULT_RETRY_AFTER_MS, ReplyChannel, type ReplySocket } from "./reply_channel.ts";

/** What every connection of an edge shares. */
export interface IngestContext {
  readonly routes: ActiveRouteTable;
  readonly batcher: ProduceBatcher;
  readonly edgeId: string;
  /** Set once the edge is shutting down: new events are refused with SHUTTING_DOWN from then on. */
  readonly draining?: { readonly value: boolean };
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

  constructor(socket: ReplySocket, player: string, context: IngestContext) {
    this.#player = player;
    this.#context = context;
    this.#json = new ReplyChannel(socket, false);
    this.#binary = new ReplyChannel(socket, true);
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

    const { routes, batcher, edgeId } = this.#context;
    const table = routes.current;
    const stamp = { player: this.#player, receivedAtMs, edgeId, routeVersion: table.versionText };
    for (const event of frame.events) {
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
      const { records, bytes } = built;
      if (!batcher.submit(records, bytes, channel, event.id)) {
        channel.reject({
          id: event.id,
          code: "OVERLOADED",
          message: "the edge is holding as many unacknowledged events as it may",
          retryAfterMs: DEFAULT_RETRY_AFTER_MS,
        });
      }
    }
  }
}
