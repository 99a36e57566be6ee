/** How long payload schema compiles may hold the event loop before events get a turn, in ms. */
export const SCHEMA_COMPILE_SLICE_MS = 4;

/**
 * The pause between two payload schema compiles: once `sliceMs` have passed since the last turn,
 * it lets timers and I/O (the events of every connection) run before going on.
 */
export function slicedPause(sliceMs: number): () => Promise<void> {
  let since = performance.now();
  return () => {
    if (performance.now() - since < sliceMs) return Promise.resolve();
    return new Promise((resolve) =>
      setTimeout(() => {
        since = performance.now();
        resolve();
      }, 0)
    );
  };
}
