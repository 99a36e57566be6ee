import assert from "node:assert/strict";
import { brokerCertificateDateProblem } from "./broker_certificate_dates.ts";
import { PLAINTEXT } from "../kafka_security.ts";

/** A TLS listener on a free port with a fresh self-signed certificate valid for one day. */
async function withTlsListener(run: (broker: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "veltrix-cert-dates-" });
  try {
    const made = await new Deno.Command("openssl", {
      args: ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"]
        .concat(["-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`]),
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(made.success, new TextDecoder().decode(made.stderr));
    const listener = Deno.listenTls({
      hostname: "127.0.0.1",
      port: 0,
      cert: await Deno.readTextFile(`${dir}/cert.pem`),
      key: await Deno.readTextFile(`${dir}/key.pem`),
    });
    const serving = (async () => {
      for await (const conn of listener) {
        conn.handshake().catch(() => {}).finally(() => conn.close());
      }
    })();
    try {
      await run(`127.0.0.1:${listener.addr.port}`);
    } finally {
      listener.close();
      await serving.catch(() => {});
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const DAY_MS = 24 * 3600 * 1000;

Deno.test("brokerCertificateDateProblem() names an expired and a not-yet-valid certificate, and nothing of a valid one", async () => {
  await withTlsListener(async (broker) => {
    const connection = { brokers: [broker], security: { protocol: "SSL" as const, tls: { serverName: "localhost" } } };
    assert.equal(await brokerCertificateDateProblem(connection), undefined);
    assert.match(
      await brokerCertificateDateProblem(connection, { nowMs: Date.now() + 3 * DAY_MS }) ?? "",
      new RegExp(`^the certificate of broker ${broker} expired on \\d{4}-\\d\\d-\\d\\dT`),
    );
    assert.match(
      await brokerCertificateDateProblem(connection, { nowMs: Date.now() - 3 * DAY_MS }) ?? "",
      new RegExp(`^the certificate of broker ${broker} is not valid before \\d{4}-`),
    );
  });
});

Deno.test("brokerCertificateDateProblem() says nothing without TLS or without an answer", async () => {
  assert.equal(await brokerCertificateDateProblem({ brokers: ["127.0.0.1:1"], security: PLAINTEXT }), undefined);
  const tls = { protocol: "SSL" as const, tls: {} };
  assert.equal(await brokerCertificateDateProblem({ brokers: ["127.0.0.1:1"], security: tls }), undefined);
  assert.equal(await brokerCertificateDateProblem({ brokers: [], security: tls }), undefined);
});
