/** The ingest endpoint lets in only players with a valid, unexpired HS256 token, before the upgrade. */
import assert from "node:assert/strict";
import { sign } from "hono/jwt";
import { type EdgeProcess, startEdgeProcess } from "./support/edge_process.ts";
import { playerToken, TEST_JWT_SECRET } from "./support/tokens.ts";
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
    await t.step("a malformed token gets 401", () => expect401(`${edge.ingestUrl}?token=not.a.jwt`));
    await t.step("a token signed with another secret gets 401", async () => {
      const forged = await sign({ sub: "p", exp: now() + 60 }, "some-other-secret-0123456789", "HS256");
      await expect401(`${edge.ingestUrl}?token=${forged}`);
    });
    await t.step("an expired token gets 401", async () => {
      const expired = await sign({ sub: "p", exp: now() - 120 }, TEST_JWT_SECRET, "HS256");
      await expect401(`${edge.ingestUrl}?token=${expired}`);
    });
    await t.step("a token without exp gets 401", async () => {
      const eternal = await sign({ sub: "p" }, TEST_JWT_SECRET, "HS256");
      await expect401(`${edge.ingestUrl}?token=${eternal}`);
    });
    await t.step("a token without sub gets 401", async () => {
      const nobody = await sign({ exp: now() + 60 }, TEST_JWT_SECRET, "HS256");
      await expect401(`${edge.ingestUrl}?token=${nobody}`);
    });
    await t.step("a plain GET without upgrade gets 426", async () => {
      const response = await fetch(`http://127.0.0.1:${edge.port}/v1/ingest?token=${await playerToken("p")}`);
      assert.equal(response.status, 426);
      assert.equal((await response.json()).error.code, "UPGRADE_REQUIRED");
    });
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
