import assert from "node:assert/strict";
import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import type { KafkaConnection } from "../kafka_security.ts";
import { securityRefusal } from "./security_refusal.ts";

const closed = Object.assign(new Error("Connection closed"), { code: "PLT_KFK_NETWORK", canRetry: true });

/** A TCP listener on a free port that closes every connection at once, as a broker going down does. */
async function withClosingListener(run: (broker: string) => Promise<void>): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    for await (const conn of listener) conn.close();
  })();
  try {
    await run(`127.0.0.1:${listener.addr.port}`);
  } finally {
    listener.close();
    await serving.catch(() => {});
  }
}

Deno.test("securityRefusal() leaves a TLS broker that refuses or resets connections to a retry", async () => {
  const tls = (broker: string): KafkaConnection => ({ brokers: [broker], security: { protocol: "SSL", tls: {} } });
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
  assert.equal(await securityRefusal(refused, tls("127.0.0.1:1")), undefined);
  await withClosingListener(async (broker) => {
    assert.equal(
      await securityRefusal(new AggregateError([closed], "listApis failed 6 times."), tls(broker)),
      undefined,
    );
  });
});

Deno.test("securityRefusal() names a missing client certificate from the alert, with the settings to set", async () => {
  const alert = Object.assign(new Error("received fatal alert: BadCertificate"), {
    code: "ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE",
  });
  const refusal = await securityRefusal(alert, { brokers: ["127.0.0.1:1"], security: { protocol: "SSL", tls: {} } });
  assert.ok(refusal instanceof VeltrixError);
  assert.equal(refusal.code, "KAFKA_TLS_FAILED");
  assert.equal(
    refusal.message,
    "Kafka TLS handshake failed: the broker requires a client certificate (mutual TLS) and the edge sent none: set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE: received fatal alert: BadCertificate",
  );
});

Deno.test("securityRefusal() probes nothing for a plaintext connection or an error of ours", async () => {
  assert.equal(
    await securityRefusal(closed, { brokers: ["127.0.0.1:1"], security: { protocol: "PLAINTEXT" } }),
    undefined,
  );
  const ours = new VeltrixError("REPLICATION_FACTOR_UNMET", "one broker");
  assert.equal(
    await securityRefusal(ours, { brokers: ["127.0.0.1:1"], security: { protocol: "SSL", tls: {} } }),
    undefined,
  );
});
