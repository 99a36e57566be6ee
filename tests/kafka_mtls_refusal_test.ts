/**
 * Edges against the mTLS listener of the secure dev broker (`ssl.client.auth=required`) without a
 * client certificate, with one from a CA the broker does not trust, and with an expired one from
 * its own CA: each stops at start with exit code 2 and KAFKA_TLS_FAILED, saying what is wrong and
 * which settings to set, instead of retrying as if the broker were down. Both clients.
 */
import assert from "node:assert/strict";
import { KAFKA_CLIENTS } from "../src/kafka/mod.ts";
import { secureEnvironments, secureKafkaUp, securePaths } from "../tools/kafka/secure_broker.ts";
import { makeRefusedClientCerts } from "../tools/kafka/secure_certs.ts";
import { edgeExit } from "./support/edge_exit.ts";

await secureKafkaUp();
const { mtls } = await secureEnvironments();
const { KAFKA_SSL_CERT_FILE: _cert, KAFKA_SSL_KEY_FILE: _key, ...withoutCertificate } = mtls;

/** Runs `test` with the refused client certificates, made in a temp folder removed afterwards. */
async function withRefusedCerts(
  test: (certs: Awaited<ReturnType<typeof makeRefusedClientCerts>>) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "veltrix-mtls-" });
  try {
    await test(await makeRefusedClientCerts(dir, securePaths().certs));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Asserts that an edge run with `env` stopped at start with KAFKA_TLS_FAILED saying `says`. */
async function assertRefused(env: Record<string, string>, says: RegExp): Promise<void> {
  const { code, said } = await edgeExit(env);
  assert.equal(code, 2, said.slice(-2000));
  assert.match(said, /veltrix: KAFKA_TLS_FAILED: Kafka TLS handshake failed: /, said.slice(-2000));
  assert.match(said, says, said.slice(-2000));
  assert.ok(!said.includes('"edge ready"'), "the edge never said it was ready");
}

for (const client of KAFKA_CLIENTS) {
  Deno.test(`[${client}] an edge without a client certificate on an mTLS listener stops at start: exit 2, KAFKA_TLS_FAILED, the settings to set named`, async () => {
    await assertRefused(
      { ...withoutCertificate, VELTRIX_KAFKA_CLIENT: client },
      /the broker requires a client certificate \(mutual TLS\) and the edge sent none: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: /,
    );
  });

  Deno.test(`[${client}] an edge whose client certificate the broker does not trust, or which expired, stops at start: exit 2, KAFKA_TLS_FAILED, the certificate named`, async () => {
    await withRefusedCerts(async ({ untrusted, expired }) => {
      await assertRefused(
        {
          ...mtls,
          KAFKA_SSL_CERT_FILE: untrusted.cert,
          KAFKA_SSL_KEY_FILE: untrusted.key,
          VELTRIX_KAFKA_CLIENT: client,
        },
        /the broker refused the edge's client certificate \(subject CN=veltrix-rogue-client, issuer CN=Rogue CA, valid until \d{4}-[^)]*\): it is not signed by a CA the broker trusts/,
      );
      await assertRefused(
        { ...mtls, KAFKA_SSL_CERT_FILE: expired.cert, KAFKA_SSL_KEY_FILE: expired.key, VELTRIX_KAFKA_CLIENT: client },
        /the broker refused the edge's client certificate \(subject CN=veltrix-expired-client\), which expired on 2020-01-02T00:00:00\.000Z: renew KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: /,
      );
    });
  });
}
