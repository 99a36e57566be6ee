import assert from "node:assert/strict";
import {
  busyReasons,
  foreignCpu,
  latestVerdict,
  parseLoadAverage,
  parseProcStat,
  type ProcessCpu,
} from "./machine_load.ts";

const quietLoad = { one: 0.42, five: 0.8, fifteen: 1.2 };

Deno.test("parseLoadAverage() reads the first three fields of /proc/loadavg", () => {
  assert.deepEqual(parseLoadAverage("0.42 0.80 1.20 2/345 6789\n"), quietLoad);
  assert.throws(() => parseLoadAverage("nonsense"));
});

Deno.test("busyReasons() calls a 1-minute load of 1.0 or more before the run busy", () => {
  assert.deepEqual(busyReasons({ before: quietLoad }), []);
  assert.deepEqual(busyReasons({ before: { ...quietLoad, one: 0.99 } }), []);
  const reasons = busyReasons({ before: { ...quietLoad, one: 1.0 } });
  assert.equal(reasons.length, 1);
  assert.match(reasons[0]!, /1-minute load average before the run was 1 /);
});

Deno.test("busyReasons() calls the run busy when other processes used more than 0.25 cores on average", () => {
  const base = { before: quietLoad, durationS: 100 };
  assert.deepEqual(busyReasons({ ...base, foreignCpuS: 25 }), [], "an idle JVM or two is not busy");
  const reasons = busyReasons({ ...base, foreignCpuS: 40, foreignTop: ["java (12): 38 s"] });
  assert.equal(reasons.length, 1);
  assert.match(reasons[0]!, /40 CPU-seconds during the run, 0.4 cores on average.*java \(12\): 38 s/);
  assert.equal(busyReasons({ before: { ...quietLoad, one: 3 }, durationS: 100, foreignCpuS: 90 }).length, 2);
});

Deno.test("latestVerdict() replaces latest.* only for a full run on a quiet machine", () => {
  assert.deepEqual(latestVerdict({ quick: false, full: true }, []).writeLatest, true);
  const quick = latestVerdict({ quick: true, full: false }, []);
  assert.equal(quick.writeLatest, false);
  assert.match(quick.why, /--quick/);
  assert.equal(latestVerdict({ quick: false, full: false }, []).writeLatest, false);
  const busy = latestVerdict({ quick: false, full: true }, ["1-minute load average before the run was 3"]);
  assert.equal(busy.writeLatest, false);
  assert.match(busy.why, /busy: 1-minute load/);
});

Deno.test("parseProcStat() reads pid, parent, name (spaces and parentheses included) and CPU ticks", () => {
  const fields = "S 7 7 7 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 1 1 1";
  assert.deepEqual(parseProcStat(`42 (deno (x) y) ${fields}`), { pid: 42, ppid: 7, name: "deno (x) y", ticks: 300 });
});

Deno.test("foreignCpu() counts neither the run's own process tree nor the broker, and counts new processes whole", () => {
  const p = (pid: number, ppid: number, ticks: number, broker = false): ProcessCpu => ({
    pid,
    ppid,
    name: pid === 9 ? "java" : "deno",
    ticks,
    broker,
  });
  const before = [p(1, 0, 0), p(10, 1, 100), p(11, 10, 0), p(9, 1, 1000, true), p(20, 1, 500)];
  // 10 is the run; 11 its child, 12 a grandchild started meanwhile; 9 the broker; 20 and 30 are not the run's.
  const after = [
    p(1, 0, 0),
    p(10, 1, 900),
    p(11, 10, 800),
    p(12, 11, 700),
    p(9, 1, 9000, true),
    p(20, 1, 650),
    p(30, 1, 50),
  ];
  const foreign = foreignCpu(before, after, 10);
  assert.equal(foreign.seconds, 2);
  assert.deepEqual(foreign.top, ["deno (20): 1.5 s", "deno (30): 0.5 s"]);
});
