/**
 * The shape rules for a client event's id and type, shared by every frame decoder.
 *
 * @module
 */

/** Longest event id accepted, in characters. */
export const MAX_EVENT_ID_LENGTH = 64;
/** Longest event type accepted, in characters. */
export const MAX_EVENT_TYPE_LENGTH = 128;

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
