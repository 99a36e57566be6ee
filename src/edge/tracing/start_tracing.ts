import type { Logger } from "../../core/ops/logger.ts";
import { EdgeSpans } from "./edge_spans.ts";
import { OtlpSpanExporter, parseOtlpHeaders } from "./otlp_span_exporter.ts";
import { traceSampler, type TraceSamplerName } from "./trace_sampler.ts";

/** The tracing settings (field names as in the edge config; the variables are OpenTelemetry's). */
export interface TracingSettings {
  readonly edgeId: string;
  readonly otelDeno: boolean;
  readonly otelTracesExporter: string;
  readonly otelExporterOtlpEndpoint: string;
  readonly otelExporterOtlpTracesEndpoint: string | undefined;
  readonly otelExporterOtlpHeaders: string;
  readonly otelTracesSampler: TraceSamplerName;
  readonly otelTracesSamplerArg: number;
  readonly otelServiceName: string;
  readonly otelBspScheduleDelay: number;
}

/** The running span recorder, when tracing is on. */
export interface TracingSide {
  /** Undefined when tracing is off. */
  readonly spans: EdgeSpans | undefined;
  /** Sends the spans still waiting. */
  stop(): Promise<void>;
}

/** True when the settings turn the edge's spans on: `OTEL_DENO=true` or `OTEL_TRACES_EXPORTER=otlp`, not `none`. */
export function tracingOn(settings: Pick<TracingSettings, "otelDeno" | "otelTracesExporter">): boolean {
  if (settings.otelTracesExporter === "none") return false;
  return settings.otelDeno || settings.otelTracesExporter === "otlp";
}

/** Starts the span recorder and its OTLP exporter when tracing is on; logs where spans go. */
export function startTracing(settings: TracingSettings, logger: Logger): TracingSide {
  if (!tracingOn(settings)) return { spans: undefined, stop: () => Promise.resolve() };
  const url = settings.otelExporterOtlpTracesEndpoint ??
    `${settings.otelExporterOtlpEndpoint.replace(/\/+$/, "")}/v1/traces`;
  let failures = 0;
  const exporter = new OtlpSpanExporter({
    url,
    headers: parseOtlpHeaders(settings.otelExporterOtlpHeaders),
    resource: { "service.name": settings.otelServiceName, "service.instance.id": settings.edgeId },
    scheduleDelayMs: settings.otelBspScheduleDelay,
    onError: (error) => {
      // One line for the first failure and then one per 100: a collector that is down must not flood the log.
      if (failures++ % 100 === 0) logger.warn("span export failed; spans dropped", { url, failures, error });
    },
  });
  const sampler = traceSampler(settings.otelTracesSampler, settings.otelTracesSamplerArg);
  logger.info("edge spans on", { url, sampler: settings.otelTracesSampler, ratio: settings.otelTracesSamplerArg });
  return { spans: new EdgeSpans(sampler, exporter), stop: () => exporter.flush() };
}
