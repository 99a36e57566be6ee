import { parseTrustedKeys, TrustedKeys } from "../core/trusted_keys.ts";

/**
 * The trusted route-map signing keys from `VELTRIX_TRUSTED_KEYS`: the entries themselves, or,
 * when the value is a path (starting `/`, `./` or `../`), the entries in that file.
 */
export async function loadTrustedKeys(value: string): Promise<TrustedKeys> {
  const text = /^\.{0,2}\//.test(value.trim()) ? await Deno.readTextFile(value.trim()) : value;
  return await TrustedKeys.import(parseTrustedKeys(text));
}
