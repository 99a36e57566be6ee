import type { Logger } from "../core/ops/logger.ts";

/**
 * Fits the connection cap to the process's open-file limit. Every client connection holds one file
 * descriptor, and when `accept` fails with "too many open files" Deno's server stops listening for
 * good; so the edge refuses upgrades (503, TOO_MANY_CONNECTIONS) well before that point.
 *
 * @module
 */

/** The soft open-file limit from `/proc/self/limits` text, or undefined when it is unlimited or absent. */
export function parseOpenFileLimit(limitsText: string): number | undefined {
  const match = /^Max open files\s+(\S+)\s+\S+/m.exec(limitsText);
  if (!match || match[1] === "unlimited") return undefined;
  const soft = Number(match[1]);
  return Number.isSafeInteger(soft) && soft > 0 ? soft : undefined;
}

/**
 * This process's soft open-file limit, or undefined where it cannot be read or is unlimited. Deno
 * lets a process read `/proc/self/limits` only when it runs with `--allow-all`; elsewhere, and off
 * Linux, the limit is unknown.
 */
export function readOpenFileLimit(): number | undefined {
  try {
    return parseOpenFileLimit(Deno.readTextFileSync("/proc/self/limits"));
  } catch {
    return undefined;
  }
}

/** How many client connections fit, and whether that is fewer than configured. */
export interface ConnectionCapacity {
  readonly maxConnections: number;
  /** Descriptors kept for everything else: Kafka, the admin port, state files, upgrades being refused. */
  readonly reserve: number;
  readonly lowered: boolean;
}

/**
 * The connection cap to enforce: `configured`, or fewer when the open-file limit leaves less room
 * after a reserve of 5% of the limit (at least 64 descriptors).
 */
export function fitConnectionsToFileLimit(configured: number, openFileLimit: number | undefined): ConnectionCapacity {
  if (openFileLimit === undefined) return { maxConnections: configured, reserve: 0, lowered: false };
  const reserve = Math.max(64, Math.ceil(openFileLimit * 0.05));
  const room = Math.max(1, openFileLimit - reserve);
  return room < configured
    ? { maxConnections: room, reserve, lowered: true }
    : { maxConnections: configured, reserve, lowered: false };
}

/**
 * The connection cap this process can honour: `configured`, lowered (and said so in a warning)
 * when this process can read its open-file limit and that leaves less room.
 */
export function connectionCapFor(configured: number, logger: Logger): number {
  const openFileLimit = readOpenFileLimit();
  const capacity = fitConnectionsToFileLimit(configured, openFileLimit);
  if (capacity.lowered) {
    logger.warn(
      "VELTRIX_MAX_CONNECTIONS lowered to fit the open-file limit; raise the limit (ulimit -n, LimitNOFILE)",
      {
        configured,
        maxConnections: capacity.maxConnections,
        openFileLimit,
        reserved: capacity.reserve,
      },
    );
  }
  return capacity.maxConnections;
}
