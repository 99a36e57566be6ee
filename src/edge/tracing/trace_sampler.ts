/**
 * The standard OpenTelemetry sampler settings (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`)
 * applied to the one kind of span the edge records: a child of the client's traceparent.
 *
 * @module
 */

/** The values `OTEL_TRACES_SAMPLER` takes (the OpenTelemetry SDK environment variable spec). */
export const TRACE_SAMPLERS = [
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
  "always_on",
  "always_off",
  "traceidratio",
] as const;

/** One of {@linkcode TRACE_SAMPLERS}. */
export type TraceSamplerName = typeof TRACE_SAMPLERS[number];

/** Decides, from the client's trace id and trace flags, whether the edge's span of an event is recorded. */
export type TraceSampler = (traceId: string, flags: string) => boolean;

/**
 * The sampler `name` with `ratio` (for `traceidratio`). Every edge span has a remote parent (the
 * client's span), and for a remote parent the parent-based samplers all follow the traceparent's
 * sampled flag (their root sampler only decides for spans without a parent, which the edge does not
 * make). `traceidratio` keeps the traces whose id falls below `ratio`: the same traces on every
 * edge and in every service that samples by trace id.
 */
export function traceSampler(name: TraceSamplerName, ratio: number): TraceSampler {
  switch (name) {
    case "always_on":
      return () => true;
    case "always_off":
      return () => false;
    case "traceidratio":
      return (traceId) => traceIdBelow(traceId, ratio);
    case "parentbased_always_off":
    case "parentbased_always_on":
    case "parentbased_traceidratio":
      return (_traceId, flags) => (parseInt(flags, 16) & 1) === 1;
  }
}

/**
 * True when the trace id's rightmost 56 bits (its random part in W3C Trace Context level 2), as a
 * fraction of 2^56, are below `ratio`.
 */
export function traceIdBelow(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  return parseInt(traceId.slice(18, 32), 16) / 2 ** 56 < ratio;
}
