/**
 * Waits for an npm:ws client socket to open, as the benchmark's load generators connect.
 *
 * @module
 */
import type WebSocket from "ws";

/** Resolves once `socket` is open; rejects on an error or a refused upgrade (naming its HTTP status). */
export function opened(socket: WebSocket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
    socket.once(
      "unexpected-response",
      (_req: unknown, res: { statusCode?: number }) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)),
    );
  });
}
