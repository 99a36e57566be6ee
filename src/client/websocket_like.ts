/**
 * The part of a WebSocket the client uses, so that the browser's, Deno's, Node's (22+) and npm
 * `ws`'s all fit, and tests can pass a fake.
 *
 * The handler parameters are typed `never` because each runtime declares its own event types;
 * the client only reads `event.data` (a string: it sends only text frames) and `event.code`.
 */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Set by the client: the connection is open. */
  onopen: ((event: never) => unknown) | null;
  /** Set by the client: a frame arrived (`event.data`). */
  onmessage: ((event: never) => unknown) | null;
  /** Set by the client: the connection ended (`event.code`). */
  onclose: ((event: never) => unknown) | null;
  /** Set by the client: the connection failed; a close follows or has been seen. */
  onerror: ((event: never) => unknown) | null;
  /** Sends a text frame. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
}

/**
 * A WebSocket class: `globalThis.WebSocket`, or npm `ws`'s default export. The client passes the
 * subprotocols it offers (`veltrix.v1` and the one carrying its token) as the second argument.
 *
 * @example
 * ```ts
 * import type { WebSocketConstructor } from "./websocket_like.ts";
 *
 * const Native: WebSocketConstructor = WebSocket;
 * ```
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;
