import type { OutboundRecord } from "../core/mod.ts";
import type { GroupRecord } from "../kafka/mod.ts";

/** Headers a poison record carries beside the original record's own. */
export const POISON_HEADERS = {
  /** Why the record was set aside: the last error's message. */
  error: "veltrix-poison-error",
  /** The error's code (INVALID_RECORD for a record that is not a Veltrix one, else HANDLER_FAILED). */
  code: "veltrix-poison-code",
  /** Where the record was: `topic/partition/offset`. */
  source: "veltrix-poison-source",
  /** How many times the handler was tried (0 when the record never reached it). */
  attempts: "veltrix-poison-attempts",
  /** The consumer group that set it aside. */
  group: "veltrix-poison-group",
} as const;

/** Why a record is set aside. */
export interface PoisonReason {
  readonly code: string;
  readonly message: string;
  readonly attempts: number;
  readonly group: string;
}

/**
 * The record that sets `record` aside on `topic`: the same key, value and headers, plus the
 * {@link POISON_HEADERS} that say why and where it came from.
 */
export function poisonRecord(record: GroupRecord, topic: string, reason: PoisonReason): OutboundRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) if (value !== undefined) headers[name] = value;
  headers[POISON_HEADERS.error] = reason.message.slice(0, 2_000);
  headers[POISON_HEADERS.code] = reason.code;
  headers[POISON_HEADERS.source] = `${record.topic}/${record.partition}/${record.offset}`;
  headers[POISON_HEADERS.attempts] = String(reason.attempts);
  headers[POISON_HEADERS.group] = reason.group;
  return {
    topic,
    key: record.key === null ? null : new TextDecoder().decode(record.key),
    value: record.value ?? new Uint8Array(),
    headers,
  };
}
