import { EDGE_SPAN_ID_HEADER, isValidTracestate, parseTraceparent } from "../core/mod.ts";

/**
 * The W3C trace context of an event: the client's span and the edge's, so that a consumer's span
 * continues the client's trace.
 */
export interface EventTrace {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** The client's span: the parent id of the traceparent it sent. */
  readonly clientSpanId: string;
  /** The edge's span for this event (16 hex digits), when the edge made one. */
  readonly edgeSpanId: string | undefined;
  /** The trace flags, 2 hex digits (`01`: sampled). */
  readonly flags: string;
  /** The traceparent as the client sent it. */
  readonly clientTraceparent: string;
  readonly tracestate: string | undefined;
  /**
   * The traceparent a consumer's span takes as its parent: the edge's span when there is one, else
   * the client's. Hand it (with `tracestate`) to a propagator, e.g. OpenTelemetry's
   * `propagation.extract(ctx, { traceparent, tracestate })`.
   */
  readonly traceparent: string;
}

const SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/;

/**
 * The trace context of a record: from its `traceparent`, `tracestate` and `veltrix-edge-span-id`
 * headers, or, for a record whose headers were lost, the traceparent inside its value. Undefined
 * when there is none or it is not valid.
 */
export function eventTraceOf(
  headers: Readonly<Record<string, string | undefined>>,
  fromValue: { readonly traceparent: string; readonly tracestate: string } | undefined,
): EventTrace | undefined {
  const fromHeaders = headers.traceparent !== undefined;
  const clientTraceparent = fromHeaders ? headers.traceparent! : fromValue?.traceparent ?? "";
  const parts = parseTraceparent(clientTraceparent);
  if (parts === undefined) return undefined;
  const state = fromHeaders ? headers.tracestate : fromValue?.tracestate;
  const edge = headers[EDGE_SPAN_ID_HEADER];
  const edgeSpanId = edge !== undefined && SPAN_ID.test(edge) ? edge : undefined;
  return {
    traceId: parts.traceId,
    clientSpanId: parts.parentId,
    edgeSpanId,
    flags: parts.flags,
    clientTraceparent,
    tracestate: isValidTracestate(state) ? state : undefined,
    traceparent: `00-${parts.traceId}-${edgeSpanId ?? parts.parentId}-${parts.flags}`,
  };
}
