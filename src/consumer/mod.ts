/**
 * The consumer library: what a service that reads Veltrix topics needs to make delivery
 * effectively once. {@link decodeRoutedEvent} turns a record of either format into a typed
 * {@link RoutedEvent}; {@link DedupeWindow} and the {@link EventIdStore} port skip second copies of
 * an event by its id. It imports core, gen and kafka, and nothing else of Veltrix. See README.md
 * for what deduplication does and does not catch. This file is the folder's API for code outside `src/`
 * (tools, benches, examples, applications), which imports it and no other file of the folder;
 * folders inside `src/` import the files they need directly, along the arrows that
 * `tests/architecture_test.ts` checks.
 *
 * @module
 */
export type { RecordFormat, RoutedEvent, VeltrixRecordInput } from "./routed_event.ts";
export { decodeRoutedEvent, formatOfContentType } from "./decode_routed_event.ts";
export { type EventTrace, eventTraceOf } from "./event_trace.ts";
export type { EventIdStore, PartitionRef } from "./event_id_store.ts";
export { DedupeWindow, type DedupeWindowOptions } from "./dedupe_window.ts";
export {
  ConsumerRunner,
  type ConsumerRunnerOptions,
  type ConsumerRunnerStats,
  type EventHandler,
  type PoisonOptions,
} from "./consumer_runner.ts";
export { POISON_HEADERS, type PoisonReason, poisonRecord } from "./poison_record.ts";
