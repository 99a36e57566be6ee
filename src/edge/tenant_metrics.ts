import client from "prom-client";

/** The ack-latency histogram of one tenant label (`veltrix_tenant_ack_seconds`). */
export interface TenantAcks {
  /** One acked event of the tenant, with its time from receipt to ack. */
  acked(latencyMs: number): void;
}

/** The buckets of every latency histogram of the edge, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * `veltrix_tenant_ack_seconds{tenant}`: ack latency per tenant label (a listed tenant's name or
 * "other", never a raw claim value: the produce lanes and tenant budgets hand only those), with
 * the buckets of `veltrix_ack_latency_seconds`. Returns each label's histogram, made once.
 */
export function tenantAckHistograms(registry: client.Registry): (label: string) => TenantAcks {
  const histogram = new client.Histogram({
    name: "veltrix_tenant_ack_seconds",
    help: "From a frame's arrival to the ack of its event, per tenant (the tenants the route map lists, and other).",
    labelNames: ["tenant"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const byLabel = new Map<string, TenantAcks>();
  return (label) => {
    let acks = byLabel.get(label);
    if (acks === undefined) {
      const child = histogram.labels(label);
      acks = { acked: (latencyMs) => child.observe(latencyMs / 1000) };
      byLabel.set(label, acks);
    }
    return acks;
  };
}

/** `veltrix_kafka_producers`: the edge's Kafka producers of events open now (the main one and one per tenant lane). */
export function kafkaProducersGauge(registry: client.Registry, producers: () => number): void {
  new client.Gauge({
    name: "veltrix_kafka_producers",
    help:
      "Kafka producers of events open now: the main one, and one per tenant's produce lane (VELTRIX_PRODUCE_LANES).",
    registers: [registry],
    collect() {
      this.set(producers());
    },
  });
}
