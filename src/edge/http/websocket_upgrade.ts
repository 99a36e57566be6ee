/**
 * The one place that touches the runtime's WebSocket upgrade (Deno.upgradeWebSocket), so the rest
 * of the edge sees only web-standard WebSockets.
 *
 * @module
 */

/** What happens on an upgraded socket. */
export interface SocketHandlers {
  onMessage(data: string | ArrayBuffer): void;
  onClose?(code: number): void;
}

/**
 * Upgrades `request` to a WebSocket, wires it to the handlers `attach` makes for it, and returns
 * the 101 response. With `protocol` (one the client offered in `Sec-WebSocket-Protocol`), the 101
 * names it as the chosen subprotocol; nothing else of the client's list is echoed.
 */
export function upgradeToWebSocket(
  request: Request,
  attach: (socket: WebSocket) => SocketHandlers,
  options: { readonly protocol?: string } = {},
): Response {
  // No runtime keepalive (`idleTimeout: 0`): Deno's resets a timer on every message. The edge keeps
  // its own, one shared sweep (`start_ingest.ts`): a connection silent for VELTRIX_IDLE_TIMEOUT_MS
  // with nothing in flight is closed, which also frees the slot of a peer that vanished.
  const { socket, response } = Deno.upgradeWebSocket(request, { idleTimeout: 0 });
  // Not Deno's own `protocol` option: it splits the offered list on ", " only, and refuses with a
  // 500 a list written "a,b" (as npm ws writes it), which the RFC allows.
  if (options.protocol !== undefined) response.headers.set("sec-websocket-protocol", options.protocol);
  socket.binaryType = "arraybuffer";
  const handlers = attach(socket);
  socket.addEventListener("message", (event: MessageEvent<string | ArrayBuffer>) => handlers.onMessage(event.data));
  socket.addEventListener("close", (event) => handlers.onClose?.(event.code));
  socket.addEventListener("error", () => {
    // The close event follows; nothing is owed to a socket that failed.
  });
  return response;
}
