/**
 * Whether a broker's TLS certificate is outside its dates. Deno's TLS reports an expired
 * certificate as "unable to verify the first certificate" (UNABLE_TO_VERIFY_LEAF_SIGNATURE), as it
 * does one from an unknown CA; when the handshake fails, the edge reads the certificate's dates
 * from a handshake that does not verify (and sends nothing) to say which it is.
 *
 * @module
 */
import { connect, type TLSSocket } from "node:tls";
import type { KafkaConnection } from "../kafka_security.ts";
import { brokerAddress, serverNameOption } from "./broker_address.ts";

/**
 * What is wrong with the dates of the certificate the first of `connection`'s brokers presents
 * ("the certificate of broker H:P expired on …" or "… is not valid before …"), or undefined when
 * they hold, the connection does not use TLS, or the broker cannot be reached within `timeoutMs`.
 */
export async function brokerCertificateDateProblem(
  connection: KafkaConnection,
  { nowMs = Date.now(), timeoutMs = 5_000 }: { nowMs?: number; timeoutMs?: number } = {},
): Promise<string | undefined> {
  const broker = connection.brokers[0];
  const address = brokerAddress(broker);
  if (connection.security.tls === undefined || address === undefined) return undefined;
  const { host, port } = address;
  const serverName = connection.security.tls.serverName ?? host;
  const dates = await new Promise<{ validFrom: number; validTo: number } | undefined>((resolve) => {
    let socket: TLSSocket | undefined = undefined;
    const done = (value: { validFrom: number; validTo: number } | undefined) => {
      clearTimeout(timer);
      socket?.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket = connect({
      host,
      port,
      // Only the dates are read, and nothing is sent: the real clients verify as configured.
      rejectUnauthorized: false,
      ...serverNameOption(serverName),
    });
    socket.once("secureConnect", () => {
      const certificate = socket?.getPeerCertificate();
      const validFrom = Date.parse(certificate?.valid_from ?? "");
      const validTo = Date.parse(certificate?.valid_to ?? "");
      done(Number.isFinite(validFrom) && Number.isFinite(validTo) ? { validFrom, validTo } : undefined);
    });
    socket.once("error", () => done(undefined));
  });
  if (dates === undefined) return undefined;
  if (nowMs > dates.validTo) {
    return `the certificate of broker ${broker} expired on ${new Date(dates.validTo).toISOString()}`;
  }
  if (nowMs < dates.validFrom) {
    return `the certificate of broker ${broker} is not valid before ${new Date(dates.validFrom).toISOString()}`;
  }
  return undefined;
}
