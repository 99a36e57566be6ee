/**
 * A dev broker run detached (it outlives `deno task kafka up`) and found again by its pid file:
 * what the plain broker on 9092 and the secure broker share. Each says what it is (`name`), how to
 * tell it answers, and how to prepare its folder before the first start.
 *
 * @module
 */
import { alive, readPid, startDetached, stopPid, tail } from "../dev/detached_process.ts";
import { ensureJars, javaArgs } from "./kafka_jvm.ts";

/** One detached broker. */
export interface DetachedBroker {
  /** For messages: "broker", "secure broker". */
  readonly name: string;
  readonly config: string;
  readonly pid: string;
  readonly log: string;
  /** JVM heap unless VELTRIX_KAFKA_HEAP says otherwise. */
  readonly heap: string;
  /** True when the broker answers a metadata request within `timeoutMs`. */
  answers(timeoutMs: number): Promise<boolean>;
  /** Writes its config and formats its storage, once; runs before a start. */
  prepare(): Promise<void>;
}

/** Starts `broker` unless its pid is alive (then waits for it), and resolves once it answers. */
export async function startBroker(broker: DetachedBroker, timeoutMs = 120_000): Promise<void> {
  const stale = await readPid(broker.pid);
  if (stale !== undefined && alive(stale)) {
    console.error(`kafka: ${broker.name} pid ${stale} is starting; waiting for it`);
  } else {
    await ensureJars();
    await broker.prepare();
    const heap = Deno.env.get("VELTRIX_KAFKA_HEAP") ?? broker.heap;
    const started = await startDetached(
      ["java", ...javaArgs("kafka.Kafka", [broker.config], heap)],
      broker.log,
      broker.pid,
    );
    console.error(`kafka: started ${broker.name} pid ${started}, log ${broker.log}`);
  }
  const pid = await readPid(broker.pid);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await broker.answers(1_000)) return;
    if (pid !== undefined && !alive(pid)) {
      throw new Error(`kafka: ${broker.name} exited during start. Last log lines:\n${await tail(broker.log)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`kafka: ${broker.name} not ready after ${timeoutMs} ms. Last log lines:\n${await tail(broker.log)}`);
}

/** Stops the broker whose pid file `broker.pid` names, and waits until it is gone. */
export async function stopBroker(broker: Pick<DetachedBroker, "name" | "pid">, timeoutMs = 60_000): Promise<void> {
  const pid = await readPid(broker.pid);
  if (pid === undefined || !alive(pid)) {
    console.error(`kafka: no ${broker.name} started by this script is running`);
    await Deno.remove(broker.pid).catch(() => {});
    return;
  }
  await stopPid(pid, "SIGTERM", timeoutMs);
  await Deno.remove(broker.pid).catch(() => {});
  console.error(`kafka: stopped ${broker.name} pid ${pid}`);
}

/** Whether `broker` answers, and its pid when this script started it and it runs. */
export async function brokerStatus(
  broker: Pick<DetachedBroker, "pid" | "answers">,
): Promise<{ up: boolean; pid: number | undefined }> {
  const pid = await readPid(broker.pid);
  return { up: await broker.answers(2_000), pid: pid !== undefined && alive(pid) ? pid : undefined };
}
