import { planReconnect } from "./reconnect_plan.ts";
import { refreshDelayMs, tokenExpiresAt } from "./token_refresh.ts";
import type { ClientSettings } from "./veltrix_client_options.ts";
import { causeMessage, VeltrixClientError } from "./veltrix_client_error.ts";
import { waitWithin } from "./wait_within.ts";
import type { WebSocketLike } from "./websocket_like.ts";

/** A connection not open after this long counts as a failed attempt. */
const CONNECT_TIMEOUT_MS = 10_000;
/** A connection open this long (or that got a reply) resets the backoff when it ends. */
const STABLE_CONNECTION_MS = 1_000;
/** How long `close()` waits for the socket's close handshake. */
const CLOSE_WAIT_MS = 1_000;
/** The subprotocol a client offers, and the prefix of the entry that carries its token. */
const VELTRIX_SUBPROTOCOL = "veltrix.v1";
const BEARER_SUBPROTOCOL_PREFIX = "veltrix.bearer.";

/** The settings a connection uses. */
type ConnectionSettings = Pick<ClientSettings, "url" | "token" | "tokenIn" | "WebSocket" | "backoff">;

/** What an {@link EdgeConnection} tells its client, and asks it. */
export interface EdgeConnectionHooks {
  /** Whether the client has closed: then nothing more is opened. */
  isClosed(): boolean;
  /** A socket opened; `reconnected` when it is not the first one. */
  onOpen(reconnected: boolean): void;
  /** A frame arrived on the current socket. */
  onMessage(data: unknown): void;
  /** The current socket is gone: closed, failed, or not open in time. */
  onLost(): void;
  /** A connection could not be opened (`CONNECT_FAILED`), or the token function threw (`TOKEN_FAILED`). */
  onError(error: VeltrixClientError): void;
  /** The next attempt is scheduled. */
  onReconnecting(): void;
}

/**
 * The client's connection to the edge, one socket at a time: opens it with a fresh token (in the
 * `Sec-WebSocket-Protocol` list, `veltrix.v1, veltrix.bearer.<jwt>`, unless `tokenIn` says
 * `query`), counts a socket not open within 10 s as failed, and when it ends reconnects after a
 * backoff (see {@link planReconnect}) until the client closes. With a token function, it sends a
 * fresh token in-band before the current one expires (see {@link refreshDelayMs}). Events from a
 * socket it has let go are ignored.
 */
export class EdgeConnection {
  readonly #settings: ConnectionSettings;
  readonly #hooks: EdgeConnectionHooks;

  #socket: WebSocketLike | undefined;
  #socketOpen = false;
  #openedAt = 0;
  #heardBack = false;
  #everOpened = false;
  /** Failed attempts since the last stable connection. */
  #attempts = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** The `exp` of the token the current socket was opened with, if it has one. */
  #expiresAt: number | undefined;

  /** A connection to `settings.url`, not yet opened: {@link connect} opens it. */
  constructor(settings: ConnectionSettings, hooks: EdgeConnectionHooks) {
    this.#settings = settings;
    this.#hooks = hooks;
  }

  /** The socket while one is open, else undefined. */
  get openSocket(): WebSocketLike | undefined {
    return this.#socketOpen ? this.#socket : undefined;
  }

  /** The edge answered on this socket: when it ends, the backoff starts over. */
  markHeardBack(): void {
    this.#heardBack = true;
  }

  /** The edge took a refresh: its session now ends at `expiresAt` (unix seconds); the next refresh is planned from it. */
  onSession(expiresAt: number): void {
    this.#expiresAt = expiresAt;
    if (this.#socketOpen) this.#planRefresh();
  }

  /** Gets a token and opens a socket; on failure, reports it and tries again later. */
  async connect(): Promise<void> {
    this.#reconnectTimer = undefined;
    if (this.#hooks.isClosed()) return;
    const { url: edgeUrl, token: tokenOption } = this.#settings;
    let token: string;
    try {
      token = typeof tokenOption === "function" ? await tokenOption() : tokenOption;
    } catch (cause) {
      if (this.#hooks.isClosed()) return;
      this.#hooks.onError(
        new VeltrixClientError("TOKEN_FAILED", `the token function failed: ${causeMessage(cause)}`, { cause }),
      );
      this.#retry(false, 1006);
      return;
    }
    if (this.#hooks.isClosed()) return;
    const url = new URL(edgeUrl);
    if (this.#settings.tokenIn === "query") url.searchParams.set("token", token);
    let socket: WebSocketLike;
    try {
      socket = this.#settings.tokenIn === "query"
        ? new this.#settings.WebSocket(url.href)
        : new this.#settings.WebSocket(url.href, [VELTRIX_SUBPROTOCOL, BEARER_SUBPROTOCOL_PREFIX + token]);
    } catch (cause) {
      this.#hooks.onError(
        new VeltrixClientError("CONNECT_FAILED", `cannot open ${edgeUrl.href}: ${causeMessage(cause)}`, { cause }),
      );
      this.#retry(false, 1006);
      return;
    }
    this.#socket = socket;
    this.#socketOpen = false;
    this.#heardBack = false;
    this.#expiresAt = tokenExpiresAt(token);
    this.#connectTimer = setTimeout(() => this.#onGone(socket, 1006), CONNECT_TIMEOUT_MS);
    socket.onopen = () => this.#onOpen(socket);
    socket.onmessage = (event: { data: unknown }) => {
      if (socket === this.#socket) this.#hooks.onMessage(event.data);
    };
    socket.onclose = (event: { code?: number }) => this.#onGone(socket, event.code ?? 1006);
    socket.onerror = () => this.#onGone(socket, 1006);
  }

  /**
   * Stops reconnecting and closes the socket, if there is one. Returns a promise of its close
   * handshake (waited for at most a second), or undefined when there was no socket.
   */
  close(): Promise<void> | undefined {
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#refreshTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    this.#socketOpen = false;
    if (socket === undefined) return undefined;
    const gone = new Promise<void>((resolve) => {
      socket.onclose = () => resolve();
      socket.onerror = () => resolve();
    });
    try {
      socket.close(1000, "client closed");
    } catch {
      // Already closing.
    }
    return waitWithin(gone, CLOSE_WAIT_MS);
  }

  #onOpen(socket: WebSocketLike): void {
    if (socket !== this.#socket) return;
    clearTimeout(this.#connectTimer);
    this.#socketOpen = true;
    this.#openedAt = Date.now();
    const reconnected = this.#everOpened;
    this.#everOpened = true;
    this.#planRefresh();
    this.#hooks.onOpen(reconnected);
  }

  /** Plans the next in-band refresh, when the token comes from a function and has an `exp`. */
  #planRefresh(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
    if (typeof this.#settings.token !== "function" || this.#expiresAt === undefined) return;
    const socket = this.#socket;
    this.#refreshTimer = setTimeout(() => void this.#refresh(socket), refreshDelayMs(this.#expiresAt, Date.now()));
  }

  /**
   * Sends a fresh token on `socket`, if it is still the open one. A token function that throws is
   * reported (`TOKEN_FAILED`); the edge then ends the session at expiry and the client reconnects.
   */
  async #refresh(socket: WebSocketLike | undefined): Promise<void> {
    this.#refreshTimer = undefined;
    const tokenOption = this.#settings.token;
    if (typeof tokenOption !== "function") return;
    let token: string;
    try {
      token = await tokenOption();
    } catch (cause) {
      if (this.#hooks.isClosed()) return;
      this.#hooks.onError(
        new VeltrixClientError("TOKEN_FAILED", `the token function failed: ${causeMessage(cause)}`, { cause }),
      );
      return;
    }
    if (socket === undefined || socket !== this.#socket || !this.#socketOpen) return;
    try {
      socket.send(JSON.stringify({ token }));
    } catch {
      // The socket is closing: the reconnect gets a fresh token anyway.
    }
  }

  #onGone(socket: WebSocketLike, code: number): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#refreshTimer);
    const wasOpen = this.#socketOpen;
    this.#socketOpen = false;
    try {
      socket.close();
    } catch {
      // Already closed.
    }
    this.#hooks.onLost();
    if (this.#hooks.isClosed()) return;
    if (!wasOpen) {
      this.#hooks.onError(
        new VeltrixClientError("CONNECT_FAILED", `could not open a connection to ${this.#settings.url.href}`),
      );
    }
    this.#retry(wasOpen, code);
  }

  #retry(wasOpen: boolean, code: number): void {
    if (this.#hooks.isClosed()) return;
    const stable = wasOpen && (this.#heardBack || Date.now() - this.#openedAt >= STABLE_CONNECTION_MS);
    const plan = planReconnect(this.#attempts, { wasOpen, stable, code }, this.#settings.backoff);
    this.#attempts = plan.failedAttempts;
    this.#hooks.onReconnecting();
    this.#reconnectTimer = setTimeout(() => void this.connect(), plan.delayMs);
  }
}
