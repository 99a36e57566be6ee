/**
 * The tracing rows of the edge's config table ({@linkcode CONFIG_TABLE} spreads them in, in this
 * order): the standard OpenTelemetry variables the edge's spans read (docs/operations.md#tracing).
 *
 * @module
 */
import { type ConfigEntry, flag, fraction, int, nonEmpty, oneOf, optional, text } from "./config_parse.ts";
import { TRACE_SAMPLERS } from "../edge/tracing/trace_sampler.ts";

/** The OpenTelemetry variables, keyed by the {@linkcode EdgeConfig} field each one fills. */
export const TRACING_CONFIG_TABLE = {
  otelDeno: {
    env: "OTEL_DENO",
    default: "false",
    parse: flag,
    doc:
      "`true` turns on Deno's built-in OpenTelemetry export and, with it, the edge's spans: one per traced event, from frame receipt to Kafka ack (see [Tracing](#tracing)).",
  },
  otelTracesExporter: {
    env: "OTEL_TRACES_EXPORTER",
    default: "(unset)",
    parse: oneOf(["", "otlp", "none"] as const),
    doc: "`otlp` turns the edge's spans on without `OTEL_DENO`; `none` turns them off even with it.",
  },
  otelExporterOtlpEndpoint: {
    env: "OTEL_EXPORTER_OTLP_ENDPOINT",
    default: "http://localhost:4318",
    parse: nonEmpty,
    doc: "OTLP/HTTP collector the edge's spans are sent to, as JSON, at `<endpoint>/v1/traces`.",
  },
  otelExporterOtlpTracesEndpoint: {
    env: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    default: "(the endpoint's /v1/traces)",
    parse: optional,
    doc: "Full URL spans are posted to, instead of `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`.",
  },
  otelExporterOtlpHeaders: {
    env: "OTEL_EXPORTER_OTLP_HEADERS",
    default: "(none)",
    parse: text,
    doc: "Headers of every span export request, `key=value,...` (a collector's API key, for instance).",
    secret: true,
  },
  otelTracesSampler: {
    env: "OTEL_TRACES_SAMPLER",
    default: "parentbased_always_on",
    parse: oneOf(TRACE_SAMPLERS),
    doc:
      "Which events' spans are recorded: the parent-based samplers follow the client traceparent's sampled flag; `traceidratio` keeps `OTEL_TRACES_SAMPLER_ARG` of traces by trace id; `always_on`, `always_off`.",
  },
  otelTracesSamplerArg: {
    env: "OTEL_TRACES_SAMPLER_ARG",
    default: "1",
    parse: fraction,
    doc: "The ratio `traceidratio` keeps, from 0 to 1.",
  },
  otelServiceName: {
    env: "OTEL_SERVICE_NAME",
    default: "veltrix-edge",
    parse: nonEmpty,
    doc: "`service.name` of the edge's spans (`service.instance.id` is `VELTRIX_EDGE_ID`).",
  },
  otelBspScheduleDelay: {
    env: "OTEL_BSP_SCHEDULE_DELAY",
    default: "5000",
    parse: int(1, 600_000),
    doc: "Longest a finished span waits before it is exported, in ms; spans also go out 512 at a time.",
  },
} as const satisfies Record<string, ConfigEntry<unknown>>;
