/**
 * Test helper for the fuzz tests: bounded fast-check runs that print how many inputs they tried,
 * and replay a failure with `FUZZ_SEED=<seed>` (fast-check prints the seed when a property fails).
 *
 * @module
 */
import fc from "fast-check";

const fuzzSeed = Deno.env.get("FUZZ_SEED");

/** fast-check parameters: `numRuns`, and the seed from `FUZZ_SEED` when it is set. */
export function fuzzParameters(numRuns: number): { numRuns: number; seed?: number } {
  if (fuzzSeed === undefined || fuzzSeed === "") return { numRuns };
  const seed = Number(fuzzSeed);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got "${fuzzSeed}"`);
  return { numRuns, seed };
}

/** Runs `check` over `numRuns` inputs and logs how many it tried. */
export function fuzz<T>(what: string, numRuns: number, input: fc.Arbitrary<T>, check: (value: T) => void): void {
  let tried = 0;
  fc.assert(
    fc.property(input, (value) => {
      tried++;
      check(value);
    }),
    fuzzParameters(numRuns),
  );
  console.log(`fuzzed ${tried} ${what}`);
}
