/**
 * Test helper: a socket a connection registry can hold, which records the JSON replies sent on it.
 *
 * @module
 */
import type { RegisteredSocket } from "../connection_registry.ts";

/** A JSON reply frame as a test reads it. */
export interface RecordedReply {
  acks?: string[];
  rejects?: { id: string; code: string }[];
}

/**
 * A socket that parses and keeps every JSON reply sent on it, in `sent`; `close()` does nothing.
 *
 * @example
 * ```ts
 * import { recordingSocket } from "./recording_socket.ts";
 * const socket = recordingSocket();
 * socket.send('{"acks":["e-1"]}');
 * socket.sent[0]?.acks; // ["e-1"]
 * ```
 */
export function recordingSocket(): RegisteredSocket & { sent: RecordedReply[] } {
  const sent: RecordedReply[] = [];
  return { readyState: WebSocket.OPEN, sent, send: (data) => sent.push(JSON.parse(data as string)), close() {} };
}
