/**
 * The ingest tests' FakeRecordSink keeps the RecordSink contract the real sink keeps (the shared
 * cases of `core/routing/testing/record_sink_cases.ts`), so what those tests prove holds over Kafka too.
 */
import { recordSinkCases } from "../../../core/routing/testing/record_sink_cases.ts";
import { FakeRecordSink } from "./fake_record_sink.ts";

recordSinkCases("FakeRecordSink", () => {
  const sink = new FakeRecordSink();
  return {
    sink,
    delivered: async (count) => {
      const write = await sink.written(count);
      return { records: write.records, acknowledge: write.resolve, refuse: write.reject };
    },
  };
});
