/** Where a client is in its life. */
export type VeltrixClientState = "connecting" | "open" | "reconnecting" | "closing" | "closed";

/**
 * Whether a client in state `from` moves to `to`: never to the state it is in, never out of
 * `closed`, and out of `closing` only to `closed`.
 *
 * @example
 * ```ts
 * import { isStateChange } from "./veltrix_client_state.ts";
 *
 * isStateChange("open", "reconnecting"); // true
 * isStateChange("closing", "open"); // false
 * ```
 */
export function isStateChange(from: VeltrixClientState, to: VeltrixClientState): boolean {
  if (from === to || from === "closed") return false;
  return from !== "closing" || to === "closed";
}
