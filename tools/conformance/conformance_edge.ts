/**
 * The conformance edge (`deno task conformance-edge`, see `main.ts`): a scripted edge, with no
 * Kafka, that a client under test connects to. It hands out tokens at `GET /token`, takes connections at
 * `/v1/ingest` (token as subprotocol, bearer header or query), plays a fixed script (refusals,
 * acks, a dropped connection, OVERLOADED with a retry hint, duplicate acks, an expired session, a
 * short-lived token to refresh in band),
 * and judges the client by the rules of `conformance_rules.ts`. The script is described in
 * docs/protocol.md#conformance-edge.
 *
 * @module
 */
import { sign } from "hono/jwt";
import {
  decodeBinaryClientFrame,
  type DecodedClientFrame,
  decodeJsonClientFrame,
  encodeBinaryServerFrame,
  encodeJsonServerFrame,
  type IncomingEvent,
  type ServerReply,
  VeltrixError,
} from "../../src/core/mod.ts";
import { handshakeToken } from "./handshake_token.ts";
import {
  type Attempt,
  judge,
  type Observations,
  SCRIPT_REFUSALS,
  SCRIPT_RETRY_AFTER_MS,
  type ScriptedClose,
  type Verdict,
} from "./conformance_rules.ts";

/** How many events the client is asked to send. */
export const WORKLOAD_EVENTS = 20;
/** The subprotocol the edge answers with. */
const PROTOCOL = "veltrix.v1";
/** Signs the conformance edge's own tokens; nothing else trusts it. */
const SECRET = "veltrix-conformance-edge-secret";
/** How long a phase waits for what the client should send before it carries on without it, in ms. */
const PHASE_WAIT_MS = 5_000;
/** How long the first connection collects events before it drops, when fewer than the workload come. */
const COLLECT_MS = 1_000;
/** After the last ack, how long the edge waits for late resends (or the client's close), in ms. */
const GRACE_MS = 1_000;
/** Lifetime of the tokens handed out after the first TOKEN_EXPIRED, in s: the client must refresh them in band. */
const SHORT_TOKEN_S = 4;
/** How long past a short token's `exp` the edge waits for a refresh before it expires the session, in ms. */
const EXPIRY_GRACE_MS = 500;

/** Options of {@link startConformanceEdge}. */
export interface ConformanceEdgeOptions {
  /** @default 0 (any free port) */
  readonly port?: number;
  /** The run ends and is judged by then, whatever the client did. @default 60_000 */
  readonly timeoutMs?: number;
}

/** A running conformance edge. */
export interface ConformanceEdge {
  readonly port: number;
  /** `ws://127.0.0.1:PORT/v1/ingest` */
  readonly ingestUrl: string;
  /** `http://127.0.0.1:PORT/token` */
  readonly tokenUrl: string;
  /** Resolves with the verdicts once the script ended (or timed out); the server is stopped by then. */
  readonly verdicts: Promise<Verdict[]>;
}

/** A connection's socket and the frames' encoding it last used. */
interface Peer {
  readonly socket: WebSocket;
  readonly connection: number;
  /** The `exp` of the token the connection opened with, in unix seconds. */
  readonly expiresAt: number | undefined;
  binary: boolean;
}

/** What one phase of the script does with a connection's events and in-band refreshes. */
interface PhaseHandlers {
  onEvents(events: readonly IncomingEvent[]): void;
  onRefresh?(): void;
}

/** Starts a conformance edge on 127.0.0.1. */
export function startConformanceEdge(options: ConformanceEdgeOptions = {}): Promise<ConformanceEdge> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const attempts: Attempt[] = [];
  const received: { connection: number; id: string; at: number }[] = [];
  const acked = new Map<string, number>();
  const closes: ScriptedClose[] = [];
  const overloaded: { id: string; at: number; retryAfterMs: number }[] = [];
  const refreshes: { connection: number; fresh: boolean }[] = [];
  const issued: string[] = [];
  const presented = new Set<string>();
  const seenIds = new Set<string>();
  const expiresAt = new Map<string, number>();
  let connections = 0;
  let finished = false;
  const done = Promise.withResolvers<void>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!finished) run();
    }, ms);
    timers.add(timer);
  };
  const finish = () => {
    finished = true;
    done.resolve();
  };
  later(timeoutMs, finish);

  const outstanding = () => [...seenIds].filter((id) => !acked.has(id));
  const reply = (peer: Peer, message: ServerReply) => {
    if (peer.socket.readyState !== WebSocket.OPEN) return;
    peer.socket.send(peer.binary ? encodeBinaryServerFrame(message) : encodeJsonServerFrame(message));
  };
  const ack = (peer: Peer, ids: readonly string[]) => {
    if (ids.length === 0) return;
    const now = performance.now();
    for (const id of ids) if (!acked.has(id)) acked.set(id, now);
    reply(peer, { acks: ids });
  };
  const scriptedClose = (peer: Peer, code: number, reason: string) => {
    closes.push({ connection: peer.connection, code, at: performance.now(), unacked: outstanding() });
    peer.socket.close(code, reason);
  };

  /** Acks every event; ends the run once all are acked and the client closed or went quiet. */
  const ackAllAndFinish = (peer: Peer): PhaseHandlers => {
    let quiet = 0;
    const settle = () => {
      if (outstanding().length > 0 || acked.size < WORKLOAD_EVENTS) return;
      const mark = ++quiet;
      later(GRACE_MS, () => mark === quiet && finish());
    };
    peer.socket.addEventListener("close", () => {
      if (outstanding().length === 0 && acked.size >= WORKLOAD_EVENTS) finish();
    });
    return {
      onEvents(events) {
        ack(peer, events.map((event) => event.id));
        settle();
      },
    };
  };

  // The script, one handler per accepted connection.
  const phases: ((peer: Peer) => PhaseHandlers)[] = [
    // 1: ack the first few events, then drop the connection with the others in flight.
    (peer) => {
      const order: string[] = [];
      let dropped = false;
      const drop = () => {
        if (dropped) return;
        dropped = true;
        ack(peer, order.slice(0, Math.max(1, Math.floor(order.length / 4))));
        scriptedClose(peer, 1011, "conformance: connection dropped with events in flight");
      };
      return {
        onEvents(events) {
          if (dropped) return;
          if (order.length === 0) later(COLLECT_MS, drop);
          for (const event of events) if (!order.includes(event.id)) order.push(event.id);
          if (order.length >= WORKLOAD_EVENTS) drop();
        },
      };
    },
    // 2: wait for the resends; ack some (with duplicate acks), reject some with OVERLOADED, hold
    // the rest; ack the OVERLOADED ones when they come back; then expire the session.
    (peer) => {
      const expected = new Set(closes.at(-1)?.unacked ?? []);
      const resent: string[] = [];
      const backoff = new Set<string>();
      let stage: "resends" | "retries" | "over" = "resends";
      const expire = () => {
        if (stage === "over") return;
        stage = "over";
        scriptedClose(peer, 4001, "TOKEN_EXPIRED");
      };
      const answer = () => {
        if (stage !== "resends") return;
        stage = "retries";
        const third = Math.ceil(resent.length / 3);
        const toAck = resent.slice(0, third);
        const toReject = resent.slice(third, third * 2);
        ack(peer, toAck);
        const duplicates = [...acked.keys()].slice(0, 1).concat(toAck.slice(0, 1));
        reply(peer, { acks: duplicates });
        const now = performance.now();
        for (const id of toReject) {
          backoff.add(id);
          overloaded.push({ id, at: now, retryAfterMs: SCRIPT_RETRY_AFTER_MS });
        }
        if (toReject.length > 0) {
          reply(peer, {
            rejects: toReject.map((id) => ({
              id,
              code: "OVERLOADED",
              message: "conformance: the edge holds as many unacknowledged events as it may",
              retryAfterMs: SCRIPT_RETRY_AFTER_MS,
            })),
          });
        }
        if (backoff.size === 0) expire();
        else later(SCRIPT_RETRY_AFTER_MS + PHASE_WAIT_MS, expire);
      };
      later(PHASE_WAIT_MS, answer);
      return {
        onEvents(events) {
          for (const { id } of events) {
            if (acked.has(id)) ack(peer, [id]);
            else if (stage === "resends" && !resent.includes(id)) resent.push(id);
            else if (stage === "retries" && backoff.delete(id)) ack(peer, [id]);
          }
          if (stage === "resends" && [...expected].every((id) => resent.includes(id))) answer();
          if (stage === "retries" && backoff.size === 0) expire();
        },
      };
    },
    // 3: the new token is short-lived. Hold the acks until the client refreshes in band; if the
    // token runs out first, expire the session again.
    (peer) => {
      const finishing = ackAllAndFinish(peer);
      let refreshed = false;
      const held: IncomingEvent[] = [];
      const untilExpiry = (peer.expiresAt ?? 0) * 1000 - Date.now() + EXPIRY_GRACE_MS;
      later(Math.max(0, untilExpiry), () => {
        if (!refreshed) scriptedClose(peer, 4001, "TOKEN_EXPIRED");
      });
      return {
        onEvents(events) {
          if (refreshed) finishing.onEvents(events);
          else held.push(...events);
        },
        onRefresh() {
          refreshed = true;
          finishing.onEvents(held.splice(0));
        },
      };
    },
    // 4 and after: ack everything; end once all is acked and the client closed or went quiet.
    ackAllAndFinish,
  ];

  const issue = async (): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + (closes.some((close) => close.code === 4001) ? SHORT_TOKEN_S : 600);
    const claims = { sub: "conformance-player", iat: now, exp, jti: `conformance-${issued.length + 1}` };
    const token = await sign(claims, SECRET, "HS256");
    issued.push(token);
    expiresAt.set(token, exp);
    return token;
  };

  const onFrame = (peer: Peer, handle: PhaseHandlers, data: unknown) => {
    const now = performance.now();
    peer.binary = typeof data !== "string";
    let frame: DecodedClientFrame;
    try {
      frame = typeof data === "string"
        ? decodeJsonClientFrame(data)
        : decodeBinaryClientFrame(new Uint8Array(data as ArrayBuffer));
    } catch (error) {
      const failure = VeltrixError.from(error, "INVALID_FRAME");
      reply(peer, { error: { code: failure.code, message: failure.message } });
      return;
    }
    if (frame.token !== undefined) {
      const exp = expiresAt.get(frame.token);
      const fresh = exp !== undefined && !presented.has(frame.token);
      refreshes.push({ connection: peer.connection, fresh });
      presented.add(frame.token);
      if (!fresh) {
        reply(peer, { error: { code: "UNAUTHORIZED", message: "conformance: a stale or unknown refresh token" } });
        peer.socket.close(4003, "UNAUTHORIZED");
        return;
      }
      reply(peer, { session: { expiresAt: exp } });
      handle.onRefresh?.();
    }
    for (const event of frame.events) {
      received.push({ connection: peer.connection, id: event.id, at: now });
      seenIds.add(event.id);
    }
    if (frame.events.length > 0) handle.onEvents(frame.events);
  };

  const upgrade = (request: Request): Response => {
    const at = performance.now();
    const { token, auth, offered } = handshakeToken(request);
    if (token !== undefined) presented.add(token);
    const refuse = (status: 401 | 503, code: string, message: string) => {
      attempts.push({ at, ...(token === undefined ? {} : { token }), auth, outcome: status });
      return Response.json({ error: { code, message } }, { status });
    };
    if (attempts.length === 0) return refuse(401, "UNAUTHORIZED", "conformance: this token is refused");
    if (attempts.length < SCRIPT_REFUSALS) return refuse(503, "NOT_READY", "conformance: not ready yet");
    if (token === undefined || !expiresAt.has(token)) return refuse(401, "UNAUTHORIZED", "conformance: unknown token");
    const connection = ++connections;
    attempts.push({ at, token, auth, outcome: "open", connection });
    const { socket, response } = Deno.upgradeWebSocket(request);
    // Not Deno's own `protocol` option: it splits the offered list on ", " only, and npm ws writes "a,b".
    if (offered.includes(PROTOCOL)) response.headers.set("sec-websocket-protocol", PROTOCOL);
    socket.binaryType = "arraybuffer";
    const peer: Peer = { socket, connection, expiresAt: expiresAt.get(token), binary: false };
    const handle = phases[Math.min(connection, phases.length) - 1]!(peer);
    socket.onmessage = (message) => {
      if (!finished) onFrame(peer, handle, message.data);
    };
    return response;
  };

  const ready = Promise.withResolvers<number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    onListen: ({ port }) => ready.resolve(port),
  }, async (request) => {
    const path = new URL(request.url).pathname;
    if (finished) {
      return Response.json({ error: { code: "SHUTTING_DOWN", message: "the run is over" } }, { status: 503 });
    }
    if (path === "/token") return new Response(await issue(), { headers: { "content-type": "text/plain" } });
    if (path === "/v1/ingest") {
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return Response.json({ error: { code: "UPGRADE_REQUIRED", message: "WebSocket only" } }, { status: 426 });
      }
      return upgrade(request);
    }
    return new Response("not found", { status: 404 });
  });

  const verdicts = done.promise.then(async () => {
    for (const timer of timers) clearTimeout(timer);
    await server.shutdown();
    const seen: Observations = { attempts, received, acked, closes, overloaded, refreshes, issued };
    return judge(seen);
  });
  return ready.promise.then((port) => ({
    port,
    ingestUrl: `ws://127.0.0.1:${port}/v1/ingest`,
    tokenUrl: `http://127.0.0.1:${port}/token`,
    verdicts,
  }));
}
