/**
 * The shape rules for a client event's id and type, shared by every frame decoder.
 *
 * @module
 */

/** Longest event id accepted, in characters. */
export const MAX_EVENT_ID_LENGTH = 64;
/** Longest event type accepted, in characters. */
export const MAX_EVENT_TYPE_LENGTH = 128;

/** Deepest nesting of arrays and objects accepted in an event's data. */
export const MAX_DATA_DEPTH = 32;

const TYPE_CHARS = /^[a-z0-9._-]+$/;

/** Returns why `id` is not a valid event id, or undefined when it is. */
export function eventIdProblem(id: unknown): string | undefined {
  if (typeof id !== "string") return "id must be a string";
  if (id.length === 0 || id.length > MAX_EVENT_ID_LENGTH) {
    return `id must be 1 to ${MAX_EVENT_ID_LENGTH} characters`;
  }
  return undefined;
}

/** Returns why `type` is not a valid event type, or undefined when it is. */
export function eventTypeProblem(type: unknown): string | undefined {
  if (typeof type !== "string") return "type must be a string";
  if (type.length === 0 || type.length > MAX_EVENT_TYPE_LENGTH) {
    return `type must be 1 to ${MAX_EVENT_TYPE_LENGTH} characters`;
  }
  if (!TYPE_CHARS.test(type)) return "type may only hold the characters [a-z0-9._-]";
  return undefined;
}

/**
 * Returns why `data` is not acceptable event data (nested deeper than `maxDepth`, by default
 * {@link MAX_DATA_DEPTH}, arrays and objects), or undefined when it is. Walks the value without
 * recursion.
 */
export function eventDataProblem(data: unknown, maxDepth: number = MAX_DATA_DEPTH): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const stack: unknown[] = [data];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const value = stack.pop() as object;
    const depth = depths.pop()!;
    if (depth > maxDepth) return `data is nested deeper than ${maxDepth} levels`;
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) {
      if (typeof child === "object" && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return undefined;
}
