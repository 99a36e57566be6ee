import { VeltrixError } from "../errors/veltrix_error.ts";

/** One trusted route-map signing key, as configured. */
export interface TrustedKeyEntry {
  readonly id: string;
  /** The 32-byte raw Ed25519 public key. */
  readonly publicKey: Uint8Array;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Parses trusted keys written as `id:base64-raw-public-key` entries separated by commas or new
 * lines (blank lines and `#` comments are skipped). Every bad entry is reported at once, in a
 * VeltrixError with code INVALID_CONFIG.
 */
export function parseTrustedKeys(text: string): TrustedKeyEntry[] {
  const entries: TrustedKeyEntry[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const raw of text.split("\n").flatMap((line) => line.trim().startsWith("#") ? [] : line.split(","))) {
    const item = raw.trim();
    if (item === "" || item.startsWith("#")) continue;
    const colon = item.indexOf(":");
    const id = colon === -1 ? "" : item.slice(0, colon);
    if (!KEY_ID.test(id)) {
      problems.push(`"${item.slice(0, 40)}" is not id:base64-public-key (id: 1-64 of [A-Za-z0-9._-])`);
      continue;
    }
    if (seen.has(id)) problems.push(`key id "${id}" is listed twice`);
    seen.add(id);
    let publicKey: Uint8Array;
    try {
      publicKey = Uint8Array.from(atob(item.slice(colon + 1)), (c) => c.charCodeAt(0));
    } catch {
      problems.push(`key "${id}" is not valid base64`);
      continue;
    }
    if (publicKey.length !== 32) {
      problems.push(`key "${id}" is ${publicKey.length} bytes; a raw Ed25519 public key is 32`);
      continue;
    }
    entries.push({ id, publicKey });
  }
  if (problems.length > 0) {
    throw new VeltrixError("INVALID_CONFIG", `trusted keys: ${problems.join("; ")}`);
  }
  return entries;
}

/** The public keys route maps may be signed with, imported for WebCrypto verification. */
export class TrustedKeys {
  readonly #keys: ReadonlyMap<string, CryptoKey>;

  private constructor(keys: Map<string, CryptoKey>) {
    this.#keys = keys;
  }

  /** Imports `entries` as Ed25519 verification keys. */
  static async import(entries: readonly TrustedKeyEntry[]): Promise<TrustedKeys> {
    const keys = new Map<string, CryptoKey>();
    for (const entry of entries) {
      const key = await crypto.subtle.importKey("raw", entry.publicKey as BufferSource, { name: "Ed25519" }, false, [
        "verify",
      ]);
      keys.set(entry.id, key);
    }
    return new TrustedKeys(keys);
  }

  /** The key with id `id`, if trusted. */
  get(id: string): CryptoKey | undefined {
    return this.#keys.get(id);
  }

  /** The ids of every trusted key. */
  get ids(): string[] {
    return [...this.#keys.keys()];
  }
}
