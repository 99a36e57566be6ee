/**
 * Builds the Rust client of `clients/rust/` with cargo, into `~/.cache/veltrix/cargo-target`
 * (outside the repository, so a build leaves the worktree clean), and says where its binaries
 * are. `tools/dev/test_env.ts` builds it before the tests; the tests build it again (a no-op then).
 *
 * @module
 */

const MANIFEST = new URL("../../clients/rust/Cargo.toml", import.meta.url).pathname;

/** Where cargo builds the Rust client. */
export function rustTargetDir(): string {
  const home = Deno.env.get("HOME") ?? "/tmp";
  return `${home}/.cache/veltrix/cargo-target`;
}

/** `cargo build --release --locked` of the Rust client; throws with cargo's output when it fails. */
export async function buildRustClient(): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("cargo", {
      args: ["build", "--release", "--locked", "--manifest-path", MANIFEST, "--target-dir", rustTargetDir()],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new Error(`cargo is needed to build clients/rust (install Rust from https://rustup.rs): ${error}`);
  }
  if (!output.success) {
    throw new Error(`cargo build of clients/rust failed:\n${new TextDecoder().decode(output.stderr)}`);
  }
}

/** The path of the Rust client's binary `name`, built first. */
export async function rustClientBinary(name: string): Promise<string> {
  await buildRustClient();
  return `${rustTargetDir()}/release/${name}`;
}
