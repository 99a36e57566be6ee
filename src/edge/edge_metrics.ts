import client from "prom-client";
import { kafkaProducersGauge, LATENCY_BUCKETS, tenantAckHistograms, type TenantAcks } from "./tenant_metrics.ts";

/** What the ingest path reports; every method is cheap enough to call per event. */
export interface IngestMetrics {
  received(events: number): void;
  rejected(code: string): void;
  routed(topic: string): void;
  /** No route matched the type (dead-lettered or rejected with NO_ROUTE). */
  unrouted(): void;
  deadLettered(): void;
  duplicate(): void;
}

/** What the produce batcher reports per settled batch. */
export interface ProduceMetrics {
  /** Every event of a batch Kafka acknowledged, with its time from receipt to ack. */
  acked(latencyMs: number): void;
  /** One produce request, start to settle. */
  produced(ms: number): void;
  /** A write Kafka did not take for good (its events were told KAFKA_WRITE_FAILED). */
  produceFailed(): void;
}

/** Live values read when Prometheus scrapes. */
export interface EdgeGauges {
  connections(): number;
  inFlightEvents(): number;
  routeMapVersion(): number;
  /** Each readiness condition and whether it is met (`/readyz`'s conditions); none when absent. */
  readiness?(): Record<string, boolean>;
  /** Per tenant label (listed tenants and "other"): what it used so far; none when absent. */
  tenants?(): Iterable<TenantUsage>;
  /** Kafka producers of events open now; none when absent. */
  producers?(): number;
}

/** What one tenant used of the edge, as its metrics show it. */
export interface TenantUsage {
  /** A tenant the route map lists, or "other": never a raw claim value. */
  readonly label: string;
  readonly connections: number;
  readonly admitted: number;
  readonly overQuota: number;
  readonly bytes: number;
}

/**
 * The edge's Prometheus metrics (prom-client), all prefixed `veltrix_`. Labels are bounded: error
 * codes and topics only, never players or event ids. Process CPU and memory and event-loop delay
 * come from prom-client's default collectors.
 */
export class EdgeMetrics implements IngestMetrics, ProduceMetrics {
  readonly registry = new client.Registry();
  readonly #received: client.Counter;
  readonly #acked: client.Counter;
  readonly #rejected: client.Counter<"code">;
  readonly #routed: client.Counter<"topic">;
  readonly #unrouted: client.Counter;
  readonly #deadLettered: client.Counter;
  readonly #duplicates: client.Counter;
  readonly #ackLatency: client.Histogram;
  /** `veltrix_tenant_ack_seconds` of a tenant label. */
  readonly tenantAcks: (label: string) => TenantAcks;
  readonly #produceLatency: client.Histogram;
  readonly #applyTime: client.Histogram;
  readonly #produceFailures: client.Counter;
  readonly #duplicatesRisked: client.Counter;
  readonly #routeUpdatesRefused: client.Counter<"code">;
  readonly #maxConnections: client.Gauge;
  readonly #routedByTopic = new Map<string, client.Counter.Internal>();
  #duplicateCount = 0;
  #gauges: EdgeGauges = {
    connections: () => 0,
    inFlightEvents: () => 0,
    routeMapVersion: () => 0,
    readiness: () => ({}),
  };

  constructor() {
    const gauges = (): EdgeGauges => this.#gauges;
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: "veltrix_" });
    replaceProcMemoryMetrics(this.registry);
    this.tenantAcks = tenantAckHistograms(this.registry);
    kafkaProducersGauge(this.registry, () => gauges().producers?.() ?? 0);
    this.#received = new client.Counter({
      name: "veltrix_events_received_total",
      help: "Events received from clients.",
      registers,
    });
    this.#acked = new client.Counter({
      name: "veltrix_events_acked_total",
      help: "Events acked to clients after Kafka had them.",
      registers,
    });
    this.#rejected = new client.Counter({
      name: "veltrix_events_rejected_total",
      help: "Events rejected, by error code.",
      labelNames: ["code"],
      registers,
    });
    this.#routed = new client.Counter({
      name: "veltrix_events_routed_total",
      help: "Records handed to Kafka, by topic.",
      labelNames: ["topic"],
      registers,
    });
    this.#unrouted = new client.Counter({
      name: "veltrix_events_unrouted_total",
      help: "Events no route matched.",
      registers,
    });
    this.#deadLettered = new client.Counter({
      name: "veltrix_events_dead_lettered_total",
      help: "Events written to the dead-letter topic.",
      registers,
    });
    this.#duplicates = new client.Counter({
      name: "veltrix_events_duplicate_total",
      help: "Resent events acked again instead of written twice.",
      registers,
    });
    this.#ackLatency = new client.Histogram({
      name: "veltrix_ack_latency_seconds",
      help: "From a frame's arrival to the ack of its event.",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#produceLatency = new client.Histogram({
      name: "veltrix_kafka_produce_latency_seconds",
      help: "One produce request (a batch), from send to Kafka's acknowledgement.",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#applyTime = new client.Histogram({
      name: "veltrix_route_update_apply_seconds",
      help: "Route update apply time, verify through swap.",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
      registers,
    });
    this.#duplicatesRisked = new client.Counter({
      name: "veltrix_kafka_duplicates_risked_total",
      help:
        "Records resent under a new producer id after an attempt that may have landed (each may be in Kafka twice).",
      registers,
    });
    this.#produceFailures = new client.Counter({
      name: "veltrix_kafka_produce_failures_total",
      help:
        "Produce requests (batches) Kafka did not take for good; their events were rejected with KAFKA_WRITE_FAILED.",
      registers,
    });
    this.#routeUpdatesRefused = new client.Counter({
      name: "veltrix_route_updates_refused_total",
      help: "Route updates this edge refused (replays of an older map left out), by error code.",
      labelNames: ["code"],
      registers,
    });
    this.#maxConnections = new client.Gauge({
      name: "veltrix_max_connections",
      help:
        "Open client connections the edge takes at most (VELTRIX_MAX_CONNECTIONS, lowered to fit the open-file limit).",
      registers,
    });
    new client.Gauge({
      name: "veltrix_ready_condition",
      help: "Readiness conditions (/readyz): 1 when met, 0 when not. `kafka accepting writes` is 0 while writes fail.",
      labelNames: ["condition"],
      registers,
      collect() {
        for (const [condition, met] of Object.entries(gauges().readiness?.() ?? {})) {
          this.set({ condition }, met ? 1 : 0);
        }
      },
    });
    new client.Gauge({
      name: "veltrix_tenant_connections",
      help: "Open client connections per tenant (the tenants the route map lists, and other).",
      labelNames: ["tenant"],
      registers,
      collect() {
        for (const usage of gauges().tenants?.() ?? []) this.set({ tenant: usage.label }, usage.connections);
      },
    });
    new client.Counter({
      name: "veltrix_tenant_events_total",
      help: "Events per tenant: admitted within its quota, or refused over it (OVERLOADED).",
      labelNames: ["tenant", "outcome"],
      registers,
      collect() {
        this.reset();
        for (const usage of gauges().tenants?.() ?? []) {
          this.inc({ tenant: usage.label, outcome: "admitted" }, usage.admitted);
          this.inc({ tenant: usage.label, outcome: "over_quota" }, usage.overQuota);
        }
      },
    });
    new client.Counter({
      name: "veltrix_tenant_bytes_total",
      help: "Frame bytes taken per tenant.",
      labelNames: ["tenant"],
      registers,
      collect() {
        this.reset();
        for (const usage of gauges().tenants?.() ?? []) this.inc({ tenant: usage.label }, usage.bytes);
      },
    });
    new client.Gauge({
      name: "veltrix_open_connections",
      help: "Open client connections.",
      registers,
      collect() {
        this.set(gauges().connections());
      },
    });
    new client.Gauge({
      name: "veltrix_in_flight_events",
      help: "Events accepted and not yet acked or rejected.",
      registers,
      collect() {
        this.set(gauges().inFlightEvents());
      },
    });
    new client.Gauge({
      name: "veltrix_route_map_version",
      help: "Version of the route map in force.",
      registers,
      collect() {
        this.set(gauges().routeMapVersion());
      },
    });
  }

  received(events: number): void {
    this.#received.inc(events);
  }

  rejected(code: string): void {
    this.#rejected.inc({ code });
  }

  routed(topic: string): void {
    let child = this.#routedByTopic.get(topic);
    if (child === undefined) {
      child = this.#routed.labels(topic);
      this.#routedByTopic.set(topic, child);
    }
    child.inc();
  }

  unrouted(): void {
    this.#unrouted.inc();
  }

  deadLettered(): void {
    this.#deadLettered.inc();
  }

  duplicate(): void {
    this.#duplicateCount++;
    this.#duplicates.inc();
  }

  /** Resent events acked again instead of written twice, so far. */
  get duplicates(): number {
    return this.#duplicateCount;
  }

  /** Reads the gauges from `gauges` from now on (they read 0 before). */
  observe(gauges: EdgeGauges): void {
    this.#gauges = gauges;
  }

  acked(latencyMs: number): void {
    this.#acked.inc();
    this.#ackLatency.observe(latencyMs / 1000);
  }

  produced(ms: number): void {
    this.#produceLatency.observe(ms / 1000);
  }

  produceFailed(): void {
    this.#produceFailures.inc();
  }

  /** Counts records resent under a new producer id after an attempt that may have landed. */
  duplicatesRisked(records: number): void {
    this.#duplicatesRisked.inc(records);
  }

  /** Counts one route update refused with `code`. */
  routeUpdateRefused(code: string): void {
    this.#routeUpdatesRefused.inc({ code });
  }

  /** The connection cap in force. */
  connectionLimit(max: number): void {
    this.#maxConnections.set(max);
  }

  /** Records one route update's apply time. */
  applied(ms: number): void {
    this.#applyTime.observe(ms / 1000);
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * prom-client reads memory and descriptors from `/proc/self`, which Deno opens only to a process
 * with `--allow-all`; without it those series would read 0. Resident memory comes from
 * `Deno.memoryUsage()` instead, and the series that cannot be measured are left out.
 */
function replaceProcMemoryMetrics(registry: client.Registry): void {
  let procReadable = true;
  try {
    Deno.readTextFileSync("/proc/self/status");
  } catch {
    procReadable = false;
  }
  registry.removeSingleMetric("veltrix_process_resident_memory_bytes");
  if (!procReadable) {
    for (const name of ["virtual_memory_bytes", "heap_bytes", "open_fds", "max_fds"]) {
      registry.removeSingleMetric(`veltrix_process_${name}`);
    }
  }
  new client.Gauge({
    name: "veltrix_process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    registers: [registry],
    collect() {
      this.set(Deno.memoryUsage().rss);
    },
  });
}
