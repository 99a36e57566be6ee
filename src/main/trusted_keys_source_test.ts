import assert from "node:assert/strict";
import { sign } from "hono/jwt";
import { loadPlayerTokenVerifier } from "./trusted_keys_source.ts";

const settings = {
  jwtSecret: "",
  jwtPublicKeys: "",
  jwtIssuer: undefined,
  jwtAudience: undefined,
  jwtClockSkewS: 30,
};

Deno.test("loadPlayerTokenVerifier() reads the HS256 secret from VELTRIX_JWT_SECRET_FILE, trailing newline dropped", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const secret = "file-secret-0123456789";
    await Deno.writeTextFile(`${dir}/jwt`, `${secret}\n`);
    const tokens = await loadPlayerTokenVerifier({ ...settings, jwtSecretFile: `${dir}/jwt` });
    const token = await sign({ sub: "p", exp: Math.floor(Date.now() / 1000) + 60 }, secret, "HS256");
    assert.equal(await tokens.verify(token), "p");
    await Deno.writeTextFile(`${dir}/short`, "short\n");
    await assert.rejects(loadPlayerTokenVerifier({ ...settings, jwtSecretFile: `${dir}/short` }), /at least 16/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
