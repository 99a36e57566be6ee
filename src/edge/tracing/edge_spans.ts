/**
 * The edge's span of each traced event, from frame receipt to Kafka's ack: its parent is the
 * client's `traceparent`, its id the `veltrix-edge-span-id` the edge wrote into the event's records,
 * and it carries the event's type, the route-map version, the topics and the outcome. Off (no
 * {@linkcode EdgeSpans} at all), the ingest loop pays one `undefined` check per event.
 *
 * @module
 */
import type { DeliveryListener } from "../../core/routing/delivery_listener.ts";
import { EDGE_SPAN_ID_HEADER } from "../../core/routing/record_headers.ts";
import type { OutboundRecord } from "../../core/routing/record_sink.ts";
import type { VeltrixError } from "../../core/errors/veltrix_error.ts";
import type { SpanExporter } from "./otlp_span_exporter.ts";
import type { TraceSampler } from "./trace_sampler.ts";

/** The span's name. */
export const EDGE_SPAN_NAME = "veltrix.edge.event";

/** What a traced event's span needs to know about it. */
export interface TracedEventInfo {
  readonly id: string;
  readonly type: string;
  /** A valid version-00 traceparent (the edge drops any other before routing). */
  readonly traceparent: string;
}

/** A sampled event's delivery listener: ends the span with the event's outcome, then tells the connection. */
export class TracedDelivery implements DeliveryListener {
  constructor(
    readonly span: {
      traceId: string;
      spanId: string;
      parentSpanId: string;
      startMs: number;
      attributes: Record<string, string | readonly string[]>;
    },
    readonly next: DeliveryListener,
    readonly exporter: SpanExporter,
  ) {}

  delivered(id: string): void {
    this.end("acked", undefined);
    this.next.delivered(id);
  }

  failed(id: string, error: VeltrixError): void {
    this.end(error.code, error.message);
    this.next.failed(id, error);
  }

  /** Ends the span of an event that was never written (`OVERLOADED`); the connection answers it itself. */
  refused(code: string, message: string): void {
    this.end(code, message);
  }

  end(outcome: string, message: string | undefined): void {
    const { attributes, ...ids } = this.span;
    this.exporter.add({
      ...ids,
      name: EDGE_SPAN_NAME,
      endMs: Date.now(),
      attributes: { ...attributes, "veltrix.outcome": outcome },
      ok: message === undefined,
      ...(message === undefined ? {} : { message }),
    });
  }
}

/** Records the spans of sampled events into an exporter. */
export class EdgeSpans {
  constructor(readonly sampler: TraceSampler, readonly exporter: SpanExporter) {}

  /**
   * The listener to submit a traced event with: one that records its span when it settles, or
   * `next` itself when the event is not sampled (or its records carry no edge span id).
   */
  trace(
    event: TracedEventInfo,
    records: readonly OutboundRecord[],
    routeVersion: string,
    receivedAtMs: number,
    next: DeliveryListener,
  ): DeliveryListener | TracedDelivery {
    const traceparent = event.traceparent;
    const traceId = traceparent.slice(3, 35);
    if (!this.sampler(traceId, traceparent.slice(53, 55))) return next;
    const spanId = records[0]?.headers[EDGE_SPAN_ID_HEADER];
    if (spanId === undefined) return next;
    const topics = records.map((record) => record.topic);
    return new TracedDelivery(
      {
        traceId,
        spanId,
        parentSpanId: traceparent.slice(36, 52),
        startMs: receivedAtMs,
        attributes: {
          "veltrix.event.id": event.id,
          "veltrix.event.type": event.type,
          "veltrix.route_version": routeVersion,
          "veltrix.topics": topics,
        },
      },
      next,
      this.exporter,
    );
  }
}
