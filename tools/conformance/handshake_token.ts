/**
 * Where a client put its token in the upgrade request, in the order the protocol gives them:
 * the subprotocol list, `Authorization: Bearer`, then `?token=`.
 *
 * @module
 */

const BEARER_PROTOCOL = "veltrix.bearer.";

/** The token of an upgrade request, how it came, and the subprotocols offered. */
export interface HandshakeToken {
  readonly token: string | undefined;
  /** `subprotocol`, `header`, `query` or `none`. */
  readonly auth: string;
  /** Every subprotocol offered, trimmed (a list written "a, b" or "a,b"). */
  readonly offered: readonly string[];
}

/** Reads the token of an upgrade `request`. */
export function handshakeToken(request: Request): HandshakeToken {
  const offered = (request.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
  const fromProtocol = offered.find((p) => p.startsWith(BEARER_PROTOCOL))?.slice(BEARER_PROTOCOL.length);
  const fromHeader = request.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
  const fromQuery = new URL(request.url).searchParams.get("token") ?? undefined;
  const token = fromProtocol ?? fromHeader ?? fromQuery;
  const auth = fromProtocol ? "subprotocol" : fromHeader ? "header" : fromQuery ? "query" : "none";
  return { token, auth, offered };
}
