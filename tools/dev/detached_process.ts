/**
 * Long-running processes the dev tools start and stop: detached (they outlive the command that
 * started them), found again by a pid file, stopped by that pid only.
 *
 * @module
 */

/** True when `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command to completion; throws with its output when it fails. Returns its stdout. */
export async function run(cmd: string, args: string[], what: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${what} failed (exit ${out.code}):\n${text}\n${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

/** The pid in `path`, if it holds one. */
export async function readPid(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await Deno.readTextFile(path)).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True while process `pid` exists. */
export function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** The last `lines` lines of a log file. */
export async function tail(path: string, lines = 30): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** `word` quoted for sh when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Starts `command` detached (nohup), appending its output to `log`; writes and returns its pid. */
export async function startDetached(command: string[], log: string, pidFile: string): Promise<number> {
  const line = command.map(shellQuote).join(" ");
  const started = await run("sh", ["-c", `nohup ${line} >> ${shellQuote(log)} 2>&1 < /dev/null & echo $!`], "start");
  await Deno.writeTextFile(pidFile, started.trim());
  return Number(started.trim());
}

/** Sends `signal` to `pid` and waits until it is gone; SIGKILL after `timeoutMs`. */
export async function stopPid(pid: number, signal: Deno.Signal, timeoutMs = 60_000): Promise<void> {
  try {
    Deno.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (alive(pid)) {
    console.error(`kafka: pid ${pid} ignored ${signal} for ${timeoutMs} ms; killing it`);
    Deno.kill(pid, "SIGKILL");
    while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
