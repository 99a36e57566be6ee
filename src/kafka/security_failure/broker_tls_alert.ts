/**
 * What a broker's TLS says to the edge's own settings, asked directly. @platformatic/kafka reports
 * a broker that refuses the edge's client certificate (mutual TLS) as "Connection closed", like a
 * broker going down, and kafkajs sometimes as "write after end": under TLS 1.3 the handshake
 * completes on the client's side, and the broker's alert ("bad certificate") arrives after it. So
 * when a connect fails for no reason either client names, the edge makes one handshake of its own
 * with the same CA, certificate, key and server name, sends an ApiVersions request, and listens
 * for the broker's answer or alert.
 *
 * @module
 */
import { connect, type TLSSocket } from "node:tls";
import { brokerAddress, serverNameOption } from "./broker_address.ts";
import { type KafkaConnection, nodeTlsOptions } from "../kafka_security.ts";
import { type KafkaSecurityFailure, kafkaSecurityFailureOf } from "./kafka_security_failure.ts";

/** ApiVersions v0 (API key 18), correlation id 1, client id `veltrix-probe`: a request every broker answers. */
const API_VERSIONS_REQUEST = (() => {
  const clientId = new TextEncoder().encode("veltrix-probe");
  const bytes = new Uint8Array(4 + 10 + clientId.length);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, bytes.length - 4);
  view.setInt16(4, 18);
  view.setInt16(6, 0);
  view.setInt32(8, 1);
  view.setInt16(12, clientId.length);
  bytes.set(clientId, 14);
  return bytes;
})();

/**
 * The security failure the first of `connection`'s brokers shows a TLS handshake made with the
 * edge's own settings (a client certificate refused or missing, a broker certificate that does not
 * verify), or undefined when the broker answers, cannot be reached (refused, reset, silent for
 * `timeoutMs`), or the connection does not use TLS: those are for a retry to settle.
 */
export async function brokerTlsAlert(
  connection: KafkaConnection,
  { timeoutMs = 3_000 }: { timeoutMs?: number } = {},
): Promise<KafkaSecurityFailure | undefined> {
  const tls = connection.security.tls;
  const address = brokerAddress(connection.brokers[0]);
  if (tls === undefined || address === undefined) return undefined;
  const error = await new Promise<unknown>((resolve) => {
    let socket: TLSSocket | undefined = undefined;
    const done = (value: unknown) => {
      clearTimeout(timer);
      socket?.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket = connect({
      host: address.host,
      port: address.port,
      ...nodeTlsOptions(tls),
      ...serverNameOption(tls.serverName ?? address.host),
    });
    socket.once("secureConnect", () => socket?.write(API_VERSIONS_REQUEST));
    socket.once("data", () => done(undefined));
    socket.once("error", (error) => done(error));
    socket.once("close", () => done(undefined));
  });
  return kafkaSecurityFailureOf(error);
}
