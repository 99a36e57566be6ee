import client from "prom-client";

/** The ack-latency histogram of one tenant label (`veltrix_tenant_ack_seconds`). */
export interface TenantAcks {
  /** One acked event of the tenant, with its time from receipt to ack. */
  acked(latencyMs: number): void;
}

/** The buckets of every latency histogram of the edge, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One tenant label's series: observations per bucket (not cumulative; the last is past every bound), sum and count. */
interface AckSeries {
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * `veltrix_tenant_ack_seconds{tenant}`: ack latency per tenant label (a listed tenant's name or
 * "other", never a raw claim value: the produce lanes and tenant budgets hand only those), with
 * the buckets of `veltrix_ack_latency_seconds`. Returns each label's histogram, made once. An
 * observation is a bucket search and three additions: prom-client's labelled `observe` hashes the
 * labels on every call, which on the ack path of every event would cost more than the rest of the
 * batcher's work, so the series are kept here and exposed in prom-client's histogram format.
 */
export function tenantAckHistograms(registry: client.Registry): (label: string) => TenantAcks {
  const name = "veltrix_tenant_ack_seconds";
  const series = new Map<string, AckSeries>();
  const metric = {
    name,
    help: "From a frame's arrival to the ack of its event, per tenant (the tenants the route map lists, and other).",
    type: "histogram",
    aggregator: "sum",
    get() {
      const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
      for (const [tenant, { buckets, sum, count }] of series) {
        let cumulative = 0;
        LATENCY_BUCKETS.forEach((le, b) => {
          cumulative += buckets[b]!;
          values.push({ labels: { le, tenant }, value: cumulative, metricName: `${name}_bucket` });
        });
        values.push({ labels: { le: "+Inf", tenant }, value: count, metricName: `${name}_bucket` });
        values.push({ labels: { tenant }, value: sum, metricName: `${name}_sum` });
        values.push({ labels: { tenant }, value: count, metricName: `${name}_count` });
      }
      return { name, help: this.help, type: this.type, values, aggregator: this.aggregator };
    },
    reset() {},
  };
  registry.registerMetric(metric as unknown as client.Metric);
  const byLabel = new Map<string, TenantAcks>();
  return (label) => {
    let acks = byLabel.get(label);
    if (acks === undefined) {
      const own: AckSeries = { buckets: new Float64Array(LATENCY_BUCKETS.length + 1), sum: 0, count: 0 };
      series.set(label, own);
      acks = {
        acked(latencyMs) {
          const seconds = latencyMs / 1000;
          let b = 0;
          while (b < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[b]!) b++;
          own.buckets[b]!++;
          own.sum += seconds;
          own.count++;
        },
      };
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
