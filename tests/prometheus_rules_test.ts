/**
 * The alert rules `deploy/prometheus/veltrix-rules.yaml` (Debian's `prometheus` package brings
 * `promtool`): they pass `promtool check rules`, their unit tests (`veltrix-rules_test.yaml`, synthetic
 * series) pass `promtool test rules`, every alert is tested firing and silent, and every alert has a
 * runbook section in `docs/runbooks.md` that its `runbook` annotation links.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";

const dir = new URL("../deploy/prometheus/", import.meta.url).pathname;
const root = new URL("../", import.meta.url);

async function promtool(args: string[]): Promise<string> {
  const out = await new Deno.Command("promtool", { args, cwd: dir, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `promtool ${args.join(" ")} failed:\n${text}`);
  return text;
}

// deno-lint-ignore no-explicit-any
type Yaml = Record<string, any>;
const rules: Yaml[] = parse(await Deno.readTextFile(`${dir}veltrix-rules.yaml`)).groups.flatMap((g: Yaml) => g.rules);
const alerts = rules.filter((rule) => rule.alert !== undefined);

Deno.test("promtool check rules: deploy/prometheus/veltrix-rules.yaml is valid", async () => {
  assert.match(await promtool(["check", "rules", "veltrix-rules.yaml"]), new RegExp(`SUCCESS: ${rules.length} rules`));
});

Deno.test("promtool test rules: every alert fires when it should and stays silent when it should not", async () => {
  assert.match(await promtool(["test", "rules", "veltrix-rules_test.yaml"]), /SUCCESS/);
  const tests: Yaml[] = parse(await Deno.readTextFile(`${dir}veltrix-rules_test.yaml`)).tests;
  const cases = tests.flatMap((t) => t.alert_rule_test as Yaml[]);
  for (const { alert } of alerts) {
    const of = cases.filter((c) => c.alertname === alert);
    assert.ok(of.some((c) => c.exp_alerts.length > 0), `${alert} is tested firing`);
    assert.ok(of.some((c) => c.exp_alerts.length === 0), `${alert} is tested silent`);
  }
});

Deno.test("every alert has a severity and a runbook section in docs/runbooks.md that its annotation links", async () => {
  const runbooks = await Deno.readTextFile(new URL("docs/runbooks.md", root));
  for (const rule of alerts) {
    assert.match(rule.labels?.severity ?? "", /^(page|warning|ticket)$/, `${rule.alert} severity`);
    assert.equal(rule.annotations?.runbook, `docs/runbooks.md#${rule.alert.toLowerCase()}`, `${rule.alert} runbook`);
    const section = runbooks.split(/^## /m).find((s) => s.startsWith(`${rule.alert}\n`));
    assert.ok(section, `docs/runbooks.md has a "## ${rule.alert}" section`);
    for (const part of ["**What it means.**", "**How to confirm.**", "**What to do.**"]) {
      assert.ok(section.includes(part), `${rule.alert}'s runbook says ${part}`);
    }
  }
});
