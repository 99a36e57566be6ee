/**
 * A value that survives `JSON.stringify` and `JSON.parse` unchanged: what an event's `data` may
 * hold.
 *
 * @example
 * ```ts
 * import type { JsonValue } from "./json_value.ts";
 *
 * const data: JsonValue = { chest: 7, gold: 40, tags: ["rare", null, true] };
 * ```
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };
