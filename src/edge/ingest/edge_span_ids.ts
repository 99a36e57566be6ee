import { SpanIdGenerator } from "../../core/frames/trace_context.ts";

/** One generator per edge process, seeded once from the system's random source. */
const generator = new SpanIdGenerator(crypto.getRandomValues(new Uint32Array(4)));

/** A new span id for the edge's part of one traced event: 16 lowercase hex digits. */
export function nextEdgeSpanId(): string {
  return generator.next();
}
