import { Admission } from "../../core/admission/admission.ts";
import {
  decodeBinaryClientFrame,
  type DecodedClientFrame,
  decodeJsonClientFrame,
} from "../../core/frames/client_frame_codec.ts";
import { closeFrameOf } from "../../core/errors/error_code.ts";
import { isReject, routeEvent } from "../../core/routing/route_event.ts";
import type { TokenBucket } from "../../core/admission/token_bucket.ts";
import type { TenantBudget } from "../../core/admission/tenant_budgets.ts";
import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import { DeliveryRelay } from "./delivery_relay.ts";
import { nextEdgeSpanId } from "./edge_span_ids.ts";
import type { IngestContext } from "./ingest_context.ts";
import { TracedDelivery, type TracedEventInfo } from "../tracing/edge_spans.ts";
import { ReplyChannel, type ReplySocket } from "./reply_channel.ts";
import { countRouted } from "./count_routed.ts";
import { inCanaryCohort, type PlayerClaims } from "../../core/route_map/canary_cohort.ts";
import type { CanarySnapshot } from "../../core/route_map/live_route_table.ts";
import type { ProduceLane } from "./produce_lanes.ts";
import { ConnectionLane } from "./connection_lane.ts";
import { overloaded, rejectLogKey, shuttingDown } from "./edge_rejects.ts";
import { checkRefresh } from "./session_refresh.ts";

/** The encodings a connection has sent frames in so far. */
export type IngestProtocol = "none" | "json" | "binary" | "mixed";

/** Protocols by the bits of the encodings seen: 1 JSON, 2 binary. */
const PROTOCOLS: readonly IngestProtocol[] = ["none", "json", "binary", "mixed"];

/** A frame as it arrives on the socket. */
type FrameData = string | ArrayBuffer | Uint8Array;

/** What a connection is opened with besides its socket and player. */
export interface IngestConnectionOptions {
  /** Shared by every connection of the player on this edge (the per-player rate limit). */
  readonly playerBucket?: TokenBucket;
  /** Shared by every connection of the player's tenant on this edge (the tenant's quota). */
  readonly tenant?: TenantBudget;
  /** Hears the new deadline (ms since the epoch: `exp` plus the clock skew) of each refresh taken. */
  readonly onRefreshed?: (closeAtMs: number) => void;
  /** The claims of the token the connection opened with: what a claim cohort of a canary is read from. */
  readonly claims?: PlayerClaims;
  /** The produce lane its events go through (its tenant's); absent, the context's batcher. */
  readonly lane?: ProduceLane;
  /** The player's identity (`player_identity.ts`): their `sub` qualified by a trusted issuer. @default the player */
  readonly identity?: string;
}

/**
 * One authenticated game client: reads its frames, admits and routes each event through the
 * table in force when the frame arrived, hands the records to the batcher, and acks each event
 * once Kafka has every record of it. Replies use the encoding of the frame they answer.
 */
export class IngestConnection {
  /** Names this connection in log lines. */
  readonly id: string = crypto.randomUUID();
  /** The authenticated player this connection speaks for: their `sub`, what records carry. */
  readonly player: string;
  /** Who the player is on this edge: the key of their recent event ids, limits and refreshes. */
  readonly identity: string;
  readonly #context: IngestContext;
  readonly #socket: ReplySocket;
  readonly #admission: Admission;
  /** The budget of its tenant label under the stable map in force ({@link moveTo} follows a new one). */
  #tenant: TenantBudget | undefined;
  /** Its produce lane, and the one it moves to once nothing of it is pending. */
  readonly #lane: ConnectionLane;
  /** Size of the frame being routed, in bytes (characters for text frames): what the tenant's byte quota counts. */
  #frameBytes = 0;
  /** The ack path of JSON frames' events. */
  readonly #json: DeliveryRelay;
  /** The ack path of binary frames' events. */
  readonly #binary: DeliveryRelay;
  #rejected = 0;
  #frames = 0;
  /** Bit 1: a text (JSON) frame came; bit 2: a binary (protobuf) one. */
  #encodings = 0;
  #inFlight = 0;
  #lastActivityMs = Date.now();
  readonly #onRefreshed: ((closeAtMs: number) => void) | undefined;
  /** Frames that came while a refresh token was being checked, in order; undefined when none is. */
  #held: FrameData[] | undefined;
  #closedWith: { readonly code: number; readonly reason: string } | undefined;
  readonly #claims: PlayerClaims | undefined;
  /** The canary this connection's player was last placed for, and whether it is in its cohort. */
  #placedFor: CanarySnapshot | undefined;
  #inCanary = false;

  constructor(socket: ReplySocket, player: string, context: IngestContext, options: IngestConnectionOptions = {}) {
    this.player = player;
    this.identity = options.identity ?? player;
    this.#context = context;
    this.#socket = socket;
    this.#admission = new Admission(context.limits, Date.now(), options.playerBucket, options.tenant);
    this.#tenant = options.tenant;
    const lane = options.lane ?? { label: "other", batcher: context.batcher, tenantAcks: undefined };
    this.#lane = new ConnectionLane(lane, options.lane === undefined ? undefined : context.lanes);
    this.#onRefreshed = options.onRefreshed;
    this.#claims = options.claims;
    this.#json = this.#relay(false);
    this.#binary = this.#relay(true);
  }

  /** The produce lane its events go through now (the context's batcher when it joined none). */
  get lane(): ProduceLane {
    return this.#lane.current;
  }

  /** Puts it under `tenant` (a new map relabelled it) from its next frame on; its lane follows once nothing is pending. */
  moveTo(tenant: TenantBudget): void {
    this.#tenant = tenant;
    this.#admission.moveTo(tenant);
    this.#lane.moveTo(tenant.label, this.#inFlight);
  }

  /** The registry forgot the connection (it closed): it leaves its produce lane and follows no map. */
  detach(): void {
    this.#lane.leave();
  }

  /**
   * Handles one WebSocket message: a string is a JSON frame, bytes a protobuf frame. A frame with a
   * refresh token has the token checked first; it and the frames after it wait for that.
   */
  receive(data: FrameData): void {
    if (this.#held !== undefined) {
      this.#held.push(data);
      return;
    }
    const receivedAtMs = Date.now();
    const encoding = typeof data === "string" ? this.#json : this.#binary;
    const frame = this.#readFrame(data, encoding.replies, receivedAtMs);
    if (frame === undefined) return;
    if (frame.token !== undefined) void this.#refresh(frame, encoding, receivedAtMs);
    else this.#route(frame, encoding, receivedAtMs);
  }

  /**
   * Checks a refresh token for this player and issuer; when it holds, moves the connection's deadline, answers
   * with the session, routes the frame's events and lets the held frames go on. When it does not,
   * answers UNAUTHORIZED and closes the connection (4003).
   */
  async #refresh(frame: DecodedClientFrame, encoding: DeliveryRelay, receivedAtMs: number): Promise<void> {
    this.#held = [];
    let refreshed: { readonly expiresAt: number; readonly closeAtMs: number };
    try {
      refreshed = await checkRefresh(this.#context.sessions, frame.token!, this);
    } catch (cause) {
      this.#held = undefined;
      this.#frameRejected(VeltrixError.from(cause, "UNAUTHORIZED"), encoding.replies);
      return this.#close(closeFrameOf("UNAUTHORIZED"));
    }
    this.#onRefreshed?.(refreshed.closeAtMs);
    encoding.replies.sendSession(refreshed.expiresAt);
    this.#route(frame, encoding, receivedAtMs);
    const held = this.#held;
    this.#held = undefined;
    while (held.length > 0 && this.#held === undefined) this.receive(held.shift()!);
    if (held.length > 0) (this.#held as FrameData[] | undefined)?.push(...held);
  }

  /** Admits, routes and submits the events of a frame read at `receivedAtMs`. */
  #route(frame: DecodedClientFrame, relay: DeliveryRelay, receivedAtMs: number): void {
    const replies = relay.replies;
    if (frame.events.length === 0) return;
    if (this.#context.draining.value) {
      for (const event of frame.events) replies.reject(shuttingDown(event.id));
      return;
    }
    const { routes, edgeId, recent, limits, traffic, spans } = this.#context;
    const { batcher, tenantAcks } = this.lane;
    const snapshot = routes.snapshot;
    const canary = snapshot.canary !== undefined && this.#placeInCanary(snapshot.canary);
    const map = canary ? snapshot.canary!.table : snapshot.table;
    const tenant = this.#tenant;
    const table = tenant === undefined ? map : tenant.route(snapshot.table.tenancy, map, receivedAtMs);
    if (tenant !== undefined && !tenant.takeBytes(this.#frameBytes, receivedAtMs)) {
      for (const event of frame.events) replies.reject(tenant.refuse(event.id, receivedAtMs));
      return;
    }
    const stamp = {
      player: this.player,
      receivedAtMs,
      edgeId,
      routeVersion: table.versionText,
      canary,
      spanIds: nextEdgeSpanId,
    };
    const seen = recent?.player(this.identity);
    for (const event of frame.events) {
      if (seen !== undefined && seen.answerResend(event.id, replies)) {
        this.#context.metrics.duplicate();
        continue;
      }
      const refusal = this.#admission.refuse(event.id, receivedAtMs, this.#inFlight);
      if (refusal !== undefined) {
        replies.reject(refusal);
        if (this.#admission.abusive) return this.#close(closeFrameOf("RATE_LIMITED"));
        continue;
      }
      traffic?.record(event.type, event.data, receivedAtMs);
      const routed = routeEvent(event, table, stamp, limits.maxEventBytes);
      // Tracing off: one check. On: a listener that ends the event's span when it settles.
      const listener = spans === undefined || isReject(routed) || event.traceparent === undefined
        ? relay
        : spans.trace(event as TracedEventInfo, routed.records, stamp.routeVersion, receivedAtMs, relay);
      const written = !isReject(routed) && batcher.submit(routed, listener, event.id, receivedAtMs, tenantAcks);
      countRouted(this.#context.metrics, routed, written, table, map.counts);
      if (written) {
        this.#inFlight++;
        seen?.begin(event.id);
      } else {
        const reject = isReject(routed) ? routed : overloaded(event.id);
        if (listener instanceof TracedDelivery) listener.refused(reject.code, reject.message);
        replies.reject(reject);
      }
    }
  }

  /**
   * Whether this connection's player is in `canary`'s cohort: decided once per canary and connection
   * (the cohort depends only on the player id and the claims the connection opened with). The bare
   * `sub` is hashed, not the identity: the same `sub` of two issuers share a cohort (docs/routing.md).
   */
  #placeInCanary(canary: CanarySnapshot): boolean {
    if (canary !== this.#placedFor) {
      this.#placedFor = canary;
      this.#inCanary = inCanaryCohort(canary.cohort, this.player, this.#claims);
    }
    return this.#inCanary;
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
   * frame when it has events to route or a refresh token, or undefined when it has neither or
   * could not be read (the client got a frame error).
   */
  #readFrame(data: FrameData, replies: ReplyChannel, nowMs: number): DecodedClientFrame | undefined {
    this.#lastActivityMs = nowMs;
    this.#frames++;
    const binary = typeof data !== "string";
    this.#encodings |= binary ? 2 : 1;
    const limits = this.#context.limits;
    const size = binary ? data.byteLength : data.length;
    this.#frameBytes = size;
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
    if (frame.events.length === 0 && frame.token === undefined) return undefined;
    return frame;
  }

  /** The ack path of one encoding: its reply channel, and the relay its events settle through. */
  #relay(binary: boolean): DeliveryRelay {
    const replies = new ReplyChannel(this.#socket, binary, (code) => this.#onReject(code));
    return new DeliveryRelay(replies, this.identity, this.#context.recent, () => {
      if (--this.#inFlight === 0) this.#lane.settled();
    });
  }

  #close(frame: { readonly code: number; readonly reason: string }): void {
    this.closeWith(frame.code, frame.reason);
  }

  /** How the edge closed this connection, when it did (a close event may not carry it back). */
  get closedWith(): { readonly code: number; readonly reason: string } | undefined {
    return this.#closedWith;
  }

  /** Closes the connection from the edge's side with `code` and `reason`, and remembers them for its log line. */
  closeWith(code: number, reason: string): void {
    this.#closedWith ??= { code, reason };
    this.#socket.close?.(code, reason);
  }

  /** Counts a reject for metrics and this connection; logs it unless its code already logged enough. */
  #onReject(code: string): void {
    this.#rejected++;
    this.#context.metrics.rejected(code);
    const log = this.#context.log;
    const key = rejectLogKey(code);
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
    const key = rejectLogKey(error.code);
    if (!log.admit(key)) return;
    log.emit("warn", key, "frame rejected", {
      code: error.code,
      reason: error.message,
      connection: this.id,
      player: this.player,
    });
  }
}
