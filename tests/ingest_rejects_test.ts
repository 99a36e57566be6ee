/** Bad input gets a clear answer with a code, and never costs the good events beside it. */
import assert from "node:assert/strict";
import { startEdgeProcess } from "./support/edge_process.ts";
import { IngestClient } from "./support/ingest_client.ts";
import { playerToken } from "./support/tokens.ts";

Deno.test("ingest rejects", async (t) => {
  const edge = await startEdgeProcess();
  const client = await IngestClient.connect(edge.ingestUrl, await playerToken("rejects-player"));
  const run = crypto.randomUUID().slice(0, 8);
  try {
    await t.step("invalid events get INVALID_EVENT rejects while valid ones in the same frame are acked", async () => {
      client.sendJson([
        { id: `${run}-ok`, type: "player.moved" },
        { id: `${run}-upper`, type: "Player.Moved" },
        { id: `${run}-empty-type`, type: "" },
        { id: "x".repeat(65), type: "player.moved" },
        { id: `${run}-long-type`, type: "a".repeat(129) },
      ]);
      await client.waitFor(() => client.acked.has(`${run}-ok`) && client.rejected.size >= 4);
      for (const id of [`${run}-upper`, `${run}-empty-type`, "x".repeat(65), `${run}-long-type`]) {
        assert.equal(client.rejected.get(id)?.code, "INVALID_EVENT", id);
      }
      assert.ok(!client.acked.has(`${run}-upper`));
    });
    await t.step("binary frames get binary rejects for invalid events", async () => {
      client.sendBinary([{ id: `${run}-bin-ok`, type: "treasure.opened" }, { id: `${run}-bin-bad`, type: "bad type" }]);
      await client.waitFor(() => client.acked.has(`${run}-bin-ok`) && client.rejected.has(`${run}-bin-bad`));
      assert.equal(client.rejected.get(`${run}-bin-bad`)?.code, "INVALID_EVENT");
    });
    await t.step(
      "a text frame that is not JSON gets an INVALID_FRAME error and the connection stays usable",
      async () => {
        const before = client.replies.length;
        client.sendRaw("{not json");
        await client.waitFor(() => client.replies.slice(before).some((r) => r.error));
        assert.equal(client.replies.slice(before).find((r) => r.error)?.error?.code, "INVALID_FRAME");
        client.sendJson([{ id: `${run}-after`, type: "player.moved" }]);
        await client.waitForAcks([`${run}-after`]);
      },
    );
    await t.step("JSON without an events array gets INVALID_FRAME", async () => {
      const before = client.replies.length;
      client.sendRaw(JSON.stringify({ event: [] }));
      await client.waitFor(() => client.replies.slice(before).some((r) => r.error));
      assert.equal(client.replies.slice(before).find((r) => r.error)?.error?.code, "INVALID_FRAME");
    });
    await t.step("bytes that are not a ClientFrame get INVALID_FRAME", async () => {
      const before = client.replies.length;
      client.sendRaw(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]));
      await client.waitFor(() => client.replies.slice(before).some((r) => r.error));
      assert.equal(client.replies.slice(before).find((r) => r.error)?.error?.code, "INVALID_FRAME");
    });
  } finally {
    await client.close();
    await edge.stop();
  }
});
