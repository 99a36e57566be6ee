/** On a real edge, the ingest endpoint upgrades players with a valid HS256 token and refuses others before the upgrade. */
import assert from "node:assert/strict";
import { sign } from "hono/jwt";
import { type EdgeProcess, startEdgeProcess } from "./support/edge_process.ts";
import { playerToken } from "./support/tokens.ts";
import { tryUpgrade } from "./support/upgrade_status.ts";

let edge: EdgeProcess;
const now = () => Math.floor(Date.now() / 1000);

async function expect401(url: string, headers: Record<string, string> = {}): Promise<void> {
  const answer = await tryUpgrade(url, headers);
  assert.equal(answer.status, 401, answer.body);
  assert.equal(JSON.parse(answer.body).error.code, "UNAUTHORIZED");
}

Deno.test("ingest authentication", async (t) => {
  edge = await startEdgeProcess();
  try {
    await t.step("a valid token in ?token= is upgraded", async () => {
      const answer = await tryUpgrade(`${edge.ingestUrl}?token=${await playerToken("p-query")}`);
      assert.equal(answer.status, 101);
    });
    await t.step("a valid token as Authorization: Bearer is upgraded", async () => {
      const answer = await tryUpgrade(edge.ingestUrl, { authorization: `Bearer ${await playerToken("p-bearer")}` });
      assert.equal(answer.status, 101);
    });
    await t.step("a missing token gets 401", () => expect401(edge.ingestUrl));
    await t.step("a token signed with another secret gets 401", async () => {
      const forged = await sign({ sub: "p", exp: now() + 60 }, "some-other-secret-0123456789", "HS256");
      await expect401(`${edge.ingestUrl}?token=${forged}`);
    });
    // Malformed, expired, exp-less and sub-less tokens, a plain GET (426) and the other refusals
    // are tested in process: src/edge/http/edge_app_test.ts and player_token_test.ts.
    await t.step("/healthz and /readyz answer 200 on both ports", async () => {
      for (const port of [edge.port, edge.adminPort]) {
        for (const path of ["/healthz", "/readyz"]) {
          const response = await fetch(`http://127.0.0.1:${port}${path}`);
          await response.body?.cancel();
          assert.equal(response.status, 200, `${port}${path}`);
        }
      }
    });
  } finally {
    await edge.stop();
  }
});
