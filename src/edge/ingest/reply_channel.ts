import { encodeBinaryServerFrame, encodeJsonServerFrame } from "../../core/frames/client_frame_codec.ts";
import type { EventReject, ServerReply } from "../../core/frames/frame_types.ts";
import { DEFAULT_RETRY_AFTER_MS } from "../../core/admission/admission.ts";
import { errorCodes } from "../../core/errors/error_code.ts";
import type { VeltrixError } from "../../core/errors/veltrix_error.ts";
import type { DeliveryListener } from "../../core/routing/delivery_listener.ts";

/** The part of a WebSocket a reply channel needs. */
export interface ReplySocket {
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  /** Closes the connection (a WebSocket has it; test doubles may leave it out). */
  close?(code?: number, reason?: string): void;
}

/**
 * Collects the acks and rejects owed to one client in one encoding (JSON or protobuf), and sends
 * them together: everything that settles within one turn of the event loop goes out as one frame.
 */
export class ReplyChannel implements DeliveryListener {
  readonly #socket: ReplySocket;
  readonly #binary: boolean;
  #acks: string[] = [];
  #rejects: EventReject[] = [];
  #scheduled = false;
  #acked = 0;

  readonly #onReject: ((code: string) => void) | undefined;

  /** `onReject` hears the code of every reject this channel sends (for metrics). */
  constructor(socket: ReplySocket, binary: boolean, onReject?: (code: string) => void) {
    this.#socket = socket;
    this.#binary = binary;
    this.#onReject = onReject;
  }

  /** Acks owed or sent through this channel so far. */
  get acked(): number {
    return this.#acked;
  }

  delivered(id: string): void {
    this.#acked++;
    this.#acks.push(id);
    this.#schedule();
  }

  failed(id: string, error: VeltrixError): void {
    this.reject({
      id,
      code: error.code,
      message: error.message,
      ...(errorCodes[error.code].retryable ? { retryAfterMs: DEFAULT_RETRY_AFTER_MS } : {}),
    });
  }

  /** Owes the client a reject for one event. */
  reject(reject: EventReject): void {
    this.#onReject?.(reject.code);
    this.#rejects.push(reject);
    this.#schedule();
  }

  /** Sends a frame-level error at once. */
  sendError(error: VeltrixError): void {
    this.#send({ error: { code: error.code, message: error.message } });
  }

  /** Sends the answer to an in-band refresh the edge took at once: the new token's `exp`, in unix seconds. */
  sendSession(expiresAt: number): void {
    this.#send({ session: { expiresAt } });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#flush);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const acks = this.#acks;
    const rejects = this.#rejects;
    this.#acks = [];
    this.#rejects = [];
    if (acks.length > 0 && rejects.length > 0) this.#send({ acks, rejects });
    else if (acks.length > 0) this.#send({ acks });
    else if (rejects.length > 0) this.#send({ rejects });
  };

  #send(reply: ServerReply): void {
    // A closed socket cannot be told; its client resends what it has no ack for.
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    try {
      this.#socket.send(this.#binary ? encodeBinaryServerFrame(reply) : encodeJsonServerFrame(reply));
    } catch {
      // The socket closed between the check and the send: same as above.
    }
  }
}
