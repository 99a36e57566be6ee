import type { BackoffOptions } from "./backoff.ts";
import { MemoryOutboxStore } from "./outbox_store/memory_outbox_store.ts";
import type { OutboxStore } from "./outbox_store/outbox_store.ts";
import { uuidv7 } from "./uuidv7.ts";
import type { WebSocketConstructor } from "./websocket_like.ts";

/** How to reach the edge, and the client's bounds. */
export interface VeltrixClientOptions {
  /** The edge's ingest URL, e.g. `ws://127.0.0.1:8787/v1/ingest`, without the token. */
  url: string;
  /**
   * The player's JWT, or a function giving it. A function is called again on each (re)connect,
   * and before the current token expires (read from its `exp`), to refresh the session in-band.
   */
  token: string | (() => string | Promise<string>);
  /**
   * Where the token goes: `subprotocol` offers `Sec-WebSocket-Protocol: veltrix.v1,
   * veltrix.bearer.<jwt>` (nothing in the URL); `query` adds `?token=` to the URL (discouraged:
   * proxies and browser history keep URLs), for edges older than the subprotocol.
   * @default "subprotocol"
   */
  tokenIn?: "subprotocol" | "query";
  /**
   * The WebSocket class. In Deno, pass npm `ws`'s (`import WebSocket from "npm:ws"`): Deno's own
   * client does not set TCP_NODELAY, so frames over about 1 KB stall about 40 ms.
   * @default globalThis.WebSocket
   */
  WebSocket?: WebSocketConstructor;
  /** Events sent within this many ms of the first unsent one go out in one frame. @default 5 */
  batchWindowMs?: number;
  /** Most events in one frame. @default 100 */
  maxBatchEvents?: number;
  /** Most unacked events held; past it `send()` rejects with `OUTBOX_FULL`. @default 10000 */
  maxOutbox?: number;
  /** Where unacked events are kept. @default new MemoryOutboxStore() */
  store?: OutboxStore;
  /** Reconnect backoff (exponential, full jitter). @default { initialDelayMs: 250, maxDelayMs: 10000 } */
  reconnect?: BackoffOptions;
  /** Makes event ids (1 to 64 characters, unique among unacked events). @default uuidv7 */
  idFactory?: () => string;
}

/** {@link VeltrixClientOptions} with the URL parsed, every default filled in and every bound checked. */
export interface ClientSettings {
  /** The edge's ingest URL, without the token. */
  readonly url: URL;
  /** The player's JWT, or a function giving it. */
  readonly token: string | (() => string | Promise<string>);
  /** Where the token goes. */
  readonly tokenIn: "subprotocol" | "query";
  /** The WebSocket class. */
  readonly WebSocket: WebSocketConstructor;
  /** The batching window, in ms. */
  readonly batchWindowMs: number;
  /** Most events in one frame. */
  readonly maxBatchEvents: number;
  /** Most unacked events held. */
  readonly maxOutbox: number;
  /** Where unacked events are kept. */
  readonly store: OutboxStore;
  /** The reconnect (and retry) backoff, both bounds set. */
  readonly backoff: Required<BackoffOptions>;
  /** Makes event ids. */
  readonly idFactory: () => string;
}

/**
 * Reads `options`. Throws a TypeError for a URL that does not parse or when no WebSocket class is
 * given and the runtime has none, and a RangeError for a bad bound.
 *
 * @example
 * ```ts
 * import { resolveClientOptions } from "./veltrix_client_options.ts";
 *
 * const settings = resolveClientOptions({ url: "ws://127.0.0.1:8787/v1/ingest", token: "<jwt>" });
 * settings.maxBatchEvents; // 100
 * ```
 */
export function resolveClientOptions(options: VeltrixClientOptions): ClientSettings {
  const url = new URL(options.url);
  const token = options.token;
  const NativeWebSocket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const WebSocketClass = options.WebSocket ?? NativeWebSocket;
  if (WebSocketClass === undefined) {
    throw new TypeError("this runtime has no WebSocket: pass one as options.WebSocket (e.g. npm:ws)");
  }
  const tokenIn = options.tokenIn ?? "subprotocol";
  if (tokenIn !== "subprotocol" && tokenIn !== "query") {
    throw new RangeError('tokenIn must be "subprotocol" or "query"');
  }
  return {
    url,
    token,
    tokenIn,
    WebSocket: WebSocketClass,
    batchWindowMs: _bound("batchWindowMs", options.batchWindowMs ?? 5, 0),
    maxBatchEvents: _bound("maxBatchEvents", options.maxBatchEvents ?? 100, 1),
    maxOutbox: _bound("maxOutbox", options.maxOutbox ?? 10_000, 1),
    backoff: {
      initialDelayMs: _bound("reconnect.initialDelayMs", options.reconnect?.initialDelayMs ?? 250, 0),
      maxDelayMs: _bound("reconnect.maxDelayMs", options.reconnect?.maxDelayMs ?? 10_000, 0),
    },
    store: options.store ?? new MemoryOutboxStore(),
    idFactory: options.idFactory ?? uuidv7,
  };
}

function _bound(name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) throw new RangeError(`${name} must be a number of at least ${min}`);
  return value;
}

/** Per-event options of `send()`. */
export interface SendOptions {
  /**
   * The W3C traceparent of the span that sends the event (`00-<trace id>-<span id>-<flags>`), so
   * that the trace continues through the edge into Kafka consumers.
   */
  readonly traceparent?: string;
  /** The W3C tracestate that goes with `traceparent`. */
  readonly tracestate?: string;
}
