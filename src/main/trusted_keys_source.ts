import { parseTrustedKeys, TrustedKeys } from "../core/trusted_keys.ts";

/**
 * The trusted route-map signing keys from `VELTRIX_TRUSTED_KEYS`: the entries themselves, or,
 * when the value is a path (starting `/`, `./` or `../`), the entries in that file.
 */
export async function loadTrustedKeys(value: string): Promise<TrustedKeys> {
  return await TrustedKeys.import(parseTrustedKeys(await readKeyText(value)));
}

/** Key entries given inline, or read from the file a value starting `/`, `./` or `../` names. */
export async function readKeyText(value: string): Promise<string> {
  return /^\.{0,2}\//.test(value.trim()) ? await Deno.readTextFile(value.trim()) : value;
}
