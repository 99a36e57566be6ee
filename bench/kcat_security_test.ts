import assert from "node:assert/strict";
import { kcatProperties } from "./kcat_security.ts";

Deno.test("kcatProperties() is empty for PLAINTEXT and maps SCRAM over TLS to librdkafka's names", async () => {
  assert.deepEqual(await kcatProperties({}), []);
  assert.deepEqual(
    await kcatProperties({
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USERNAME: "u",
      KAFKA_SASL_PASSWORD: "p",
      KAFKA_SSL_CA_FILE: "/ca.pem",
    }),
    [
      "security.protocol=sasl_ssl",
      "sasl.mechanisms=SCRAM-SHA-512",
      "sasl.username=u",
      "sasl.password=p",
      "ssl.ca.location=/ca.pem",
      "ssl.endpoint.identification.algorithm=https",
    ],
  );
});

Deno.test("kcatProperties() refuses what kcat cannot do: OAUTHBEARER and a TLS server name", async () => {
  const oauth = {
    KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
    KAFKA_SASL_MECHANISM: "OAUTHBEARER",
    KAFKA_OAUTH_TOKEN_FILE: "/t",
  };
  await assert.rejects(kcatProperties(oauth), /cannot use KAFKA_SASL_MECHANISM=OAUTHBEARER/);
  await assert.rejects(
    kcatProperties({ KAFKA_SECURITY_PROTOCOL: "SSL", KAFKA_SSL_SERVER_NAME: "kafka.internal" }),
    /cannot use KAFKA_SSL_SERVER_NAME/,
  );
});
