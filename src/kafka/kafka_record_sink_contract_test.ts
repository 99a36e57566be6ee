/**
 * KafkaRecordSink keeps the RecordSink contract (the shared cases of `core/routing/testing/record_sink_cases.ts`)
 * over a scripted adapter whose produce calls stay pending until the test settles them; a refusal
 * is an error the adapter calls permanent. Retries and logs are in `kafka_record_sink_test.ts`.
 */
import { type Delivery, recordSinkCases } from "../core/routing/testing/record_sink_cases.ts";
import type { OutboundRecord } from "../core/routing/record_sink.ts";
import type { KafkaAdapter } from "./kafka_adapter.ts";
import { KafkaRecordSink } from "./kafka_record_sink.ts";

recordSinkCases("KafkaRecordSink", () => {
  const deliveries: Delivery[] = [];
  const waiters: { count: number; wake: (delivery: Delivery) => void }[] = [];
  const permanent = new Set<unknown>();
  const adapter = {
    client: "scripted",
    produce(records: readonly OutboundRecord[]): Promise<void> {
      const { promise, resolve, reject } = Promise.withResolvers<void>();
      const delivery: Delivery = {
        records,
        acknowledge: () => resolve(),
        refuse: (cause) => {
          permanent.add(cause);
          reject(cause);
        },
      };
      deliveries.push(delivery);
      for (const waiter of waiters.filter((w) => w.count === deliveries.length)) waiter.wake(delivery);
      return promise;
    },
    isPermanent: (error: unknown) => permanent.has(error),
  } as unknown as KafkaAdapter;
  return {
    sink: new KafkaRecordSink(adapter),
    delivered: (count) => {
      const delivery = deliveries[count - 1];
      if (delivery !== undefined) return Promise.resolve(delivery);
      return new Promise((wake) => waiters.push({ count, wake }));
    },
  };
});
