/**
 * Why a record read from the route map topic was not applied: forged, stale, invalid, or already
 * applied (this edge's own map, or one it has in force, read back); and the rate-limited warning
 * that tells of them.
 *
 * @module
 */
import type { ErrorCode } from "../core/errors/error_code.ts";
import type { Logger } from "../core/ops/logger.ts";
import type { RouteSnapshot } from "../core/route_map/live_route_table.ts";

/** The kinds of ignored route map topic records that the control plane counts. */
export type IgnoredTopicRecord = "forged" | "stale" | "invalid" | "alreadyApplied";

/** Why the topic record `bytes`, refused with `code` while `snapshot` is in force, was ignored. */
export function ignoredTopicRecord(code: ErrorCode, snapshot: RouteSnapshot, bytes: Uint8Array): IgnoredTopicRecord {
  if (code === "UNKNOWN_SIGNING_KEY" || code === "BAD_SIGNATURE") return "forged";
  if (code !== "STALE_ROUTE_MAP") return "invalid";
  if (equalBytes(snapshot.signed, bytes) || equalBytes(snapshot.canary?.signed, bytes)) return "alreadyApplied";
  return "stale";
}

/** Logs ignored route map topic records, at most once per kind every 10 s (a replayed topic can hold many). */
export class IgnoredTopicRecordLog {
  readonly #logger: Logger;
  readonly #lastWarning = new Map<IgnoredTopicRecord, number>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Warns of a record ignored as `kind` (refused with `code` for `reason`), unless one of its kind was just warned of. */
  warn(
    kind: IgnoredTopicRecord,
    code: ErrorCode,
    reason: string,
    ignoredSoFar: Readonly<Record<string, number>>,
  ): void {
    const now = Date.now();
    const last = this.#lastWarning.get(kind) ?? 0;
    if (now - last < 10_000) return;
    this.#lastWarning.set(kind, now);
    this.#logger.warn(`ignored a ${kind} route map on the route map topic`, { code, reason, ignoredSoFar });
  }
}

function equalBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
