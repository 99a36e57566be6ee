import type { VeltrixError } from "../errors/veltrix_error.ts";

/**
 * Told the fate of an event: the batcher tells the connection that submitted it, and the
 * connection tells resent duplicates that waited on the first copy.
 */
export interface DeliveryListener {
  /** Every record of event `id` is acknowledged by Kafka. */
  delivered(id: string): void;
  /** Some record of event `id` was not acknowledged; the event must not be acked. */
  failed(id: string, error: VeltrixError): void;
}
