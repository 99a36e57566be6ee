/**
 * The edge's last known good route map on disk: the SignedRouteMap bytes of the last applied
 * update, replaced atomically (temp file, fsync, rename, fsync of the folder) so that a crash
 * leaves either the old map or the new one, never a torn file. While a canary runs, its signed map
 * is kept beside the stable one, so that both maps and the cohort survive a restart.
 *
 * @module
 */

/** The file name of the persisted map inside the state folder. */
export const ROUTE_MAP_FILE = "route-map.signed.pb";
/** The file name of the persisted canary map, present only while a canary runs. */
export const CANARY_MAP_FILE = "route-map.canary.signed.pb";

/** A persisted signed route map and when it was written. */
export interface StoredRouteMap {
  readonly bytes: Uint8Array;
  readonly savedAt: Date;
}

/** Reads and writes the last applied signed route map in one folder. */
export class RouteMapStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The path of the persisted map. */
  get path(): string {
    return `${this.#dir}/${ROUTE_MAP_FILE}`;
  }

  /** The path of the persisted canary map. */
  get canaryPath(): string {
    return `${this.#dir}/${CANARY_MAP_FILE}`;
  }

  /** Replaces the persisted stable map with `bytes`, atomically and durably, and drops any canary. */
  async save(bytes: Uint8Array): Promise<void> {
    await this.#write(this.path, bytes);
    await Deno.remove(this.canaryPath).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  /** Keeps `bytes` as the canary running beside the persisted stable map. */
  async saveCanary(bytes: Uint8Array): Promise<void> {
    await this.#write(this.canaryPath, bytes);
  }

  async #write(path: string, bytes: Uint8Array): Promise<void> {
    await Deno.mkdir(this.#dir, { recursive: true });
    const temp = `${path}.${crypto.randomUUID()}.tmp`;
    const file = await Deno.open(temp, { write: true, create: true, truncate: true, mode: 0o600 });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    try {
      await Deno.rename(temp, path);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
    await syncFolder(this.#dir);
  }

  /** The persisted map, or undefined when there is none. */
  async load(): Promise<StoredRouteMap | undefined> {
    try {
      const [bytes, info] = await Promise.all([Deno.readFile(this.path), Deno.stat(this.path)]);
      return { bytes, savedAt: info.mtime ?? new Date() };
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  }

  /** The persisted canary map, or undefined when no canary was running. */
  async loadCanary(): Promise<Uint8Array | undefined> {
    try {
      return await Deno.readFile(this.canaryPath);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  }
}

/** fsync a folder so that a rename inside it is durable. Not every platform allows it. */
async function syncFolder(dir: string): Promise<void> {
  let handle: Deno.FsFile | undefined;
  try {
    handle = await Deno.open(dir, { read: true });
    await handle.sync();
  } catch {
    // Folders cannot be opened or synced on every platform; the rename itself is still atomic.
  } finally {
    handle?.close();
  }
}
