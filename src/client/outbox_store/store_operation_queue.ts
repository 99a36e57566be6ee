import { isThenable } from "./is_thenable.ts";

/**
 * Runs outbox store operations one after another, so that puts and deletes land in the order the
 * client made them, whether the store answers at once or with promises. An operation that throws
 * or rejects goes to `onFailure`; the ones after it still run.
 */
export class StoreOperationQueue {
  readonly #onFailure: (cause: unknown) => void;
  /** The last operation; the next one waits for it. */
  #tail: Promise<void> | undefined;

  /** A queue reporting failed operations to `onFailure`. */
  constructor(onFailure: (cause: unknown) => void) {
    this.#onFailure = onFailure;
  }

  /** The last operation still running, if any: settled, every operation so far has. */
  get tail(): Promise<void> | undefined {
    return this.#tail;
  }

  /** Runs `operation` after the ones before it: at once when none is running. */
  run(operation: () => void | Promise<void>): void {
    if (this.#tail === undefined) {
      let result: void | Promise<void>;
      try {
        result = operation();
      } catch (cause) {
        this.#onFailure(cause);
        return;
      }
      if (isThenable(result)) {
        this.track(Promise.resolve(result).catch((cause) => this.#onFailure(cause)));
      }
      return;
    }
    this.track(this.#tail.then(operation).catch((cause) => this.#onFailure(cause)));
  }

  /** Makes the next operation wait for `operation`, already running (which must not reject). */
  track(operation: Promise<void>): void {
    this.#tail = operation;
    void operation.then(() => {
      if (this.#tail === operation) this.#tail = undefined;
    });
  }
}
