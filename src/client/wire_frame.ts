/**
 * The JSON text frames of the client protocol: events out, acks, rejects and frame errors in.
 *
 * @module
 */

import type { OutboxEntry } from "./outbox_store/outbox_store.ts";

/** One event the edge would not take. */
export interface WireReject {
  id: string;
  code: string;
  message: string;
  retryAfterMs?: number;
}

/** What one edge frame says; any of the keys may be missing. */
export interface WireReply {
  acks: string[];
  rejects: WireReject[];
  error?: { code: string; message: string };
  /** The answer to an in-band refresh the edge took: the new token's `exp`, in unix seconds. */
  session?: { expiresAt: number };
}

/**
 * One event as it goes inside a frame: `{"id":...,"type":...,"data":...}`, with `traceparent`
 * and `tracestate` when the event has them. Throws a TypeError when
 * `data` cannot be written as JSON (a BigInt, a cycle).
 *
 * @example
 * ```ts
 * import { encodeWireEvent } from "./wire_frame.ts";
 *
 * encodeWireEvent({ id: "e-1", type: "player.moved", data: { x: 1 } });
 * // '{"id":"e-1","type":"player.moved","data":{"x":1}}'
 * ```
 */
export function encodeWireEvent(entry: OutboxEntry): string {
  return JSON.stringify(
    entry.data === undefined && entry.traceparent === undefined ? { id: entry.id, type: entry.type } : {
      id: entry.id,
      type: entry.type,
      data: entry.data,
      traceparent: entry.traceparent,
      tracestate: entry.tracestate,
    },
  );
}

/**
 * A client frame from events already encoded by {@link encodeWireEvent}.
 *
 * @example
 * ```ts
 * import { encodeEventFrame } from "./wire_frame.ts";
 *
 * encodeEventFrame(['{"id":"e-1","type":"player.moved"}']); // '{"events":[{"id":"e-1","type":"player.moved"}]}'
 * ```
 */
export function encodeEventFrame(wireEvents: readonly string[]): string {
  return `{"events":[${wireEvents.join(",")}]}`;
}

/**
 * Reads an edge frame. Entries of the wrong shape are skipped; throws a TypeError when the text
 * is not a JSON object.
 *
 * @example
 * ```ts
 * import { decodeReplyFrame } from "./wire_frame.ts";
 *
 * decodeReplyFrame('{"acks":["e-1"]}'); // { acks: ["e-1"], rejects: [] }
 * ```
 */
export function decodeReplyFrame(text: string): WireReply {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError("reply is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("reply is not a JSON object");
  }
  const { acks, rejects, error, session } = value as {
    acks?: unknown;
    rejects?: unknown;
    error?: unknown;
    session?: unknown;
  };
  const reply: WireReply = {
    acks: Array.isArray(acks) ? acks.filter((id): id is string => typeof id === "string") : [],
    rejects: Array.isArray(rejects) ? rejects.flatMap(_readReject) : [],
  };
  if (typeof error === "object" && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    reply.error = { code: String(code ?? "INTERNAL"), message: String(message ?? "") };
  }
  const expiresAt = (session as { expiresAt?: unknown } | null | undefined)?.expiresAt;
  if (typeof expiresAt === "number" && Number.isFinite(expiresAt)) reply.session = { expiresAt };
  return reply;
}

function _readReject(item: unknown): WireReject[] {
  if (typeof item !== "object" || item === null) return [];
  const { id, code, message, retryAfterMs } = item as Record<string, unknown>;
  if (typeof id !== "string" || typeof code !== "string") return [];
  const reject: WireReject = { id, code, message: typeof message === "string" ? message : code };
  if (typeof retryAfterMs === "number" && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    reject.retryAfterMs = retryAfterMs;
  }
  return [reject];
}
