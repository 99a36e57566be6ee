import type { RecentEventIds } from "../../core/admission/recent_event_ids.ts";
import type { VeltrixError } from "../../core/errors/veltrix_error.ts";
import type { DeliveryListener } from "../../core/routing/delivery_listener.ts";
import type { ReplyChannel } from "./reply_channel.ts";

/**
 * The ack path of one connection and encoding. The batcher tells it each submitted event's fate;
 * it relays that to where it is owed, in this order: the connection's count of events in flight,
 * the client (an ack or a reject, through the reply channel of the encoding the event came in),
 * and the player's recent ids, which tell the resent duplicates that waited on this first copy.
 */
export class DeliveryRelay implements DeliveryListener {
  /** The reply channel of this encoding: events it relays are answered here. */
  readonly replies: ReplyChannel;
  /** The player's identity (`player_identity.ts`): the key of their recent ids. */
  readonly #identity: string;
  readonly #recent: RecentEventIds | undefined;
  readonly #settled: () => void;

  /** `settled` is called once per event relayed, before anyone is told. */
  constructor(replies: ReplyChannel, identity: string, recent: RecentEventIds | undefined, settled: () => void) {
    this.replies = replies;
    this.#identity = identity;
    this.#recent = recent;
    this.#settled = settled;
  }

  delivered(id: string): void {
    this.#settled();
    this.replies.delivered(id);
    this.#recent?.of(this.#identity)?.delivered(id);
  }

  failed(id: string, error: VeltrixError): void {
    this.#settled();
    this.replies.failed(id, error);
    this.#recent?.of(this.#identity)?.failed(id, error);
  }
}
