/**
 * A small OTLP/HTTP exporter of finished spans, as OTLP JSON (`application/json`,
 * `ExportTraceServiceRequest`), batched off the hot path: a span is one object pushed on a queue;
 * encoding and the POST happen on a timer (`OTEL_BSP_SCHEDULE_DELAY`) or once 512 spans wait. At
 * most 2,048 spans wait; past that new ones are dropped and counted, so a collector that is down
 * costs the edge bounded memory and no latency.
 *
 * Why not Deno's built-in OpenTelemetry (`OTEL_DENO=true` with `npm:@opentelemetry/api`): the API
 * lets a tracer pick a span's id, never the caller, and the edge's span must carry the id the edge
 * already wrote into the event's Kafka records (`veltrix-edge-span-id`), so that a consumer's span
 * continues from it.
 *
 * @module
 */

/** One finished span, as the edge records it. */
export interface FinishedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Readonly<Record<string, string | readonly string[]>>;
  /** True for an event Kafka acknowledged; false sets the span's status to error with `message`. */
  readonly ok: boolean;
  readonly message?: string;
}

/** Where finished spans go. */
export interface SpanExporter {
  add(span: FinishedSpan): void;
}

/** How an {@link OtlpSpanExporter} sends. */
export interface OtlpSpanExporterOptions {
  /** Full URL of the collector's traces endpoint (`.../v1/traces`). */
  readonly url: string;
  /** Extra request headers (`OTEL_EXPORTER_OTLP_HEADERS`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Resource attributes: `service.name`, `service.instance.id`, ... */
  readonly resource: Readonly<Record<string, string>>;
  /** Longest a span waits before it is sent, in ms. @default 5000 */
  readonly scheduleDelayMs?: number;
  /** Spans per request. @default 512 */
  readonly maxBatch?: number;
  /** Spans waiting at most; more are dropped. @default 2048 */
  readonly maxQueue?: number;
  /** Told when a request fails (the spans of it are dropped). */
  readonly onError?: (error: unknown) => void;
  /** The fetch to send with (tests). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Batches finished spans and posts them as OTLP JSON. */
export class OtlpSpanExporter implements SpanExporter {
  readonly #options: Required<Omit<OtlpSpanExporterOptions, "headers" | "onError">> & OtlpSpanExporterOptions;
  #queue: FinishedSpan[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #sending = new Set<Promise<void>>();
  /** Spans dropped because the queue was full. */
  dropped = 0;
  /** Spans sent and accepted by the collector. */
  exported = 0;

  constructor(options: OtlpSpanExporterOptions) {
    this.#options = { scheduleDelayMs: 5_000, maxBatch: 512, maxQueue: 2_048, fetch: globalThis.fetch, ...options };
  }

  add(span: FinishedSpan): void {
    if (this.#queue.length >= this.#options.maxQueue) {
      this.dropped++;
      return;
    }
    this.#queue.push(span);
    if (this.#queue.length >= this.#options.maxBatch) this.#flushSoon(0);
    else if (this.#timer === undefined) this.#flushSoon(this.#options.scheduleDelayMs);
  }

  /** Sends everything waiting and resolves once every request has settled. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#queue.length > 0) this.#send(this.#queue.splice(0, this.#options.maxBatch));
    await Promise.all(this.#sending);
  }

  #flushSoon(delayMs: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      while (this.#queue.length > 0) this.#send(this.#queue.splice(0, this.#options.maxBatch));
    }, delayMs);
    Deno.unrefTimer(this.#timer);
  }

  #send(spans: FinishedSpan[]): void {
    const body = JSON.stringify(exportRequest(spans, this.#options.resource));
    const sent = this.#options.fetch(this.#options.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...this.#options.headers },
      body,
    }).then(async (response) => {
      await response.body?.cancel();
      if (!response.ok) throw new Error(`OTLP export answered ${response.status}`);
      this.exported += spans.length;
    }).catch((error) => this.#options.onError?.(error)).finally(() => this.#sending.delete(sent));
    this.#sending.add(sent);
  }
}

/** `OTEL_EXPORTER_OTLP_HEADERS`: `key=value,...`, values URL-decoded. */
export function parseOtlpHeaders(raw: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of raw.split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

const SPAN_KIND_SERVER = 2;
const STATUS_OK = 1;
const STATUS_ERROR = 2;

/** The OTLP JSON `ExportTraceServiceRequest` of `spans`. */
export function exportRequest(spans: readonly FinishedSpan[], resource: Readonly<Record<string, string>>) {
  return {
    resourceSpans: [{
      resource: { attributes: Object.entries(resource).map(([key, value]) => attribute(key, value)) },
      scopeSpans: [{
        scope: { name: "veltrix-edge" },
        spans: spans.map((span) => ({
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId,
          name: span.name,
          kind: SPAN_KIND_SERVER,
          startTimeUnixNano: nanos(span.startMs),
          endTimeUnixNano: nanos(span.endMs),
          attributes: Object.entries(span.attributes).map(([key, value]) => attribute(key, value)),
          status: span.ok ? { code: STATUS_OK } : { code: STATUS_ERROR, message: span.message ?? "" },
        })),
      }],
    }],
  };
}

function attribute(key: string, value: string | readonly string[]) {
  return typeof value === "string"
    ? { key, value: { stringValue: value } }
    : { key, value: { arrayValue: { values: value.map((v) => ({ stringValue: v })) } } };
}

/** Milliseconds since the epoch as OTLP's decimal nanoseconds. */
function nanos(ms: number): string {
  return `${BigInt(Math.round(ms * 1000)) * 1000n}`;
}
