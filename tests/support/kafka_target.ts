/** The brokers tests talk to: `KAFKA_BROKERS`, or the local dev broker. */
export function testBrokers(): string {
  return Deno.env.get("KAFKA_BROKERS") ?? "127.0.0.1:9092";
}

/** True when tests run against the local dev broker that `deno task kafka` manages. */
export function usingLocalDevBroker(): boolean {
  return !Deno.env.get("KAFKA_BROKERS");
}
