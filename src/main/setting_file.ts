/**
 * The one way a setting is read from a file (`…_FILE` variables, the way Kubernetes mounts
 * Secrets; certificate and key files): at start, with an INVALID_CONFIG error that names the
 * variable and the path, never the content.
 *
 * @module
 */
import { VeltrixError } from "../core/errors/veltrix_error.ts";

/** The text of the file `variable` names; INVALID_CONFIG naming both when it cannot be read. */
export async function readSettingFile(variable: string, path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new VeltrixError("INVALID_CONFIG", `${variable}=${path} cannot be read: ${(error as Error).name}`);
  }
}

/** A secret from the file `variable` names (a password, a shared secret): one trailing newline dropped. */
export async function readSecretFile(variable: string, path: string): Promise<string> {
  return (await readSettingFile(variable, path)).replace(/\r?\n$/, "");
}
