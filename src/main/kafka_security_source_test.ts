import assert from "node:assert/strict";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import { loadKafkaConnection } from "./kafka_security_source.ts";

const PASSWORD = "s3cret-kafka-password";

async function refusal(env: Record<string, string>): Promise<VeltrixError> {
  try {
    await loadKafkaConnection(env);
  } catch (error) {
    assert.ok(error instanceof VeltrixError, String(error));
    assert.doesNotMatch(error.message, new RegExp(PASSWORD), "the password is never in a message");
    return error;
  }
  assert.fail(`expected ${JSON.stringify(Object.keys(env))} to be refused`);
}

Deno.test("loadKafkaConnection() is plaintext to 127.0.0.1:9092 with nothing set", async () => {
  assert.deepEqual(await loadKafkaConnection({}), { brokers: ["127.0.0.1:9092"], security: { protocol: "PLAINTEXT" } });
});

Deno.test("loadKafkaConnection() reads SCRAM over TLS, the password from KAFKA_SASL_PASSWORD_FILE", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/password`, `${PASSWORD}\n`);
    await Deno.writeTextFile(`${dir}/ca.pem`, "CA PEM");
    const connection = await loadKafkaConnection({
      KAFKA_BROKERS: "b-1.kafka:9096",
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USERNAME: "edge",
      KAFKA_SASL_PASSWORD_FILE: `${dir}/password`,
      KAFKA_SSL_CA_FILE: `${dir}/ca.pem`,
      KAFKA_SSL_SERVER_NAME: "kafka.internal",
    });
    assert.deepEqual(connection, {
      brokers: ["b-1.kafka:9096"],
      security: {
        protocol: "SASL_SSL",
        tls: { ca: "CA PEM", serverName: "kafka.internal" },
        sasl: { mechanism: "SCRAM-SHA-512", username: "edge", password: PASSWORD },
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadKafkaConnection() refuses settings that do not go together, naming them", async () => {
  const sasl = { KAFKA_SECURITY_PROTOCOL: "SASL_SSL" };
  assert.match((await refusal(sasl)).message, /KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_MECHANISM/);
  const noUser = { ...sasl, KAFKA_SASL_MECHANISM: "PLAIN", KAFKA_SASL_PASSWORD: PASSWORD };
  assert.match((await refusal(noUser)).message, /needs KAFKA_SASL_USERNAME/);
  const twoPasswords = { ...noUser, KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD_FILE: "/p" };
  assert.match((await refusal(twoPasswords)).message, /one of KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE/);
  const noToken = { ...sasl, KAFKA_SASL_MECHANISM: "OAUTHBEARER" };
  assert.match((await refusal(noToken)).message, /exactly one of KAFKA_OAUTH_TOKEN_COMMAND or KAFKA_OAUTH_TOKEN_FILE/);
  const tlsOnPlain = { KAFKA_SSL_CA_FILE: "/ca.pem" };
  assert.match(
    (await refusal(tlsOnPlain)).message,
    /KAFKA_SSL_CA_FILE set but KAFKA_SECURITY_PROTOCOL=PLAINTEXT runs no TLS/,
  );
  const halfMtls = { KAFKA_SECURITY_PROTOCOL: "SSL", KAFKA_SSL_CERT_FILE: "/c.pem" };
  assert.match((await refusal(halfMtls)).message, /KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together/);
  const badMechanism = { ...sasl, KAFKA_SASL_MECHANISM: "GSSAPI", KAFKA_SASL_PASSWORD: PASSWORD };
  assert.match(
    (await refusal(badMechanism)).message,
    /KAFKA_SASL_MECHANISM="GSSAPI" must be one of PLAIN, SCRAM-SHA-256/,
  );
});

Deno.test("loadKafkaConnection() names a file it cannot read, INVALID_CONFIG", async () => {
  const error = await refusal({ KAFKA_SECURITY_PROTOCOL: "SSL", KAFKA_SSL_CA_FILE: "/nonexistent/ca.pem" });
  assert.equal(error.code, "INVALID_CONFIG");
  assert.match(error.message, /KAFKA_SSL_CA_FILE=\/nonexistent\/ca.pem cannot be read: NotFound/);
});

const oauth = (command: string) => ({
  KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
  KAFKA_SASL_MECHANISM: "OAUTHBEARER",
  KAFKA_OAUTH_TOKEN_COMMAND: command,
});

Deno.test("loadKafkaConnection() fails KAFKA_AUTH_FAILED when the token command fails, with its stderr", async () => {
  const error = await refusal(oauth("echo 'no credentials in the environment' >&2; exit 3"));
  assert.equal(error.code, "KAFKA_AUTH_FAILED");
  assert.match(error.message, /KAFKA_OAUTH_TOKEN_COMMAND exited 3: no credentials in the environment/);
  const empty = await refusal(oauth("true"));
  assert.equal(empty.code, "KAFKA_AUTH_FAILED");
  assert.match(empty.message, /KAFKA_OAUTH_TOKEN_COMMAND gave no usable token: the token is empty/);
});

Deno.test("loadKafkaConnection() runs the token command at start and hands its token to the client", async () => {
  const connection = await loadKafkaConnection(
    oauth(`echo '{"token":"tok-1","expiresAt":${Date.now() / 1000 + 600}}'`),
  );
  const sasl = connection.security.sasl;
  assert.equal(sasl?.mechanism, "OAUTHBEARER");
  assert.equal(sasl.mechanism === "OAUTHBEARER" && (await sasl.token()).token, "tok-1");
});
