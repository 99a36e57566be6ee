/**
 * Two tenants' traffic on an edge whose route map lists them (the edge runs with
 * `VELTRIX_TENANT_CLAIM=game`): `kart`, held to 20 events per second and sending about 100, so it
 * is refused over its quota all along, and `chess`, well within its quota and under a topic
 * prefix. For the tests of what ops see per tenant: the dashboard, Grafana's panels, `routes status`.
 */
import { IngestClient } from "./ingest_client.ts";
import { signedBytes, signRouteMap, type TestSigningKey } from "../../src/core/updates/testing/route_signing.ts";
import { playerToken } from "./tokens.ts";

/** The environment an edge needs for these tenants (with the signing key's trust entry). */
export function tenantEdgeEnv(key: TestSigningKey): Record<string, string> {
  return {
    VELTRIX_TRUSTED_KEYS: key.trustEntry,
    VELTRIX_TENANT_CLAIM: "game",
    VELTRIX_RATE_PER_CONNECTION: "100000",
    VELTRIX_RATE_PER_PLAYER: "100000",
  };
}

/** The quotas the map lists: what the tests expect to see. */
export const KART = { name: "kart", eventsPerSecond: 20, maxConnections: 5 } as const;
export const CHESS = {
  name: "chess",
  eventsPerSecond: 1000,
  bytesPerSecond: 1_000_000,
  topicPrefix: "chess.",
} as const;

/** Pushes, signed with `key`, a map that routes every event to `game.tenants` and lists kart and chess. */
export async function pushTenantMap(admin: string, key: TestSigningKey, headers: Record<string, string> = {}) {
  const map = {
    version: 2n,
    routes: [{ name: "all", match: "*", targets: [{ topic: "game.tenants" }] }],
    tenants: [KART, CHESS],
    otherTenants: { maxConnections: 100 },
  };
  const response = await fetch(`${admin}/v1/routes`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf", ...headers },
    body: signedBytes(await signRouteMap(key, map)),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`the tenant map was refused: ${response.status} ${text}`);
}

/** One client per tenant, sending until stopped: kart 10 events every 100 ms, chess 2 every 200 ms. */
export class TenantTraffic {
  readonly #timers: ReturnType<typeof setInterval>[] = [];

  private constructor(readonly kart: IngestClient, readonly chess: IngestClient) {}

  static async start(ingestUrl: string): Promise<TenantTraffic> {
    const run = crypto.randomUUID().slice(0, 8);
    const kart = await IngestClient.connect(ingestUrl, await playerToken(`kart-${run}`, { game: "kart" }));
    const chess = await IngestClient.connect(ingestUrl, await playerToken(`chess-${run}`, { game: "chess" }));
    const traffic = new TenantTraffic(kart, chess);
    let sequence = 0;
    const send = (client: IngestClient, game: string, events: number) => {
      const frame = sequence++;
      client.sendJson(
        Array.from({ length: events }, (_, i) => ({ id: `${run}-${game}-${frame}-${i}`, type: "match.tick" })),
      );
    };
    traffic.#timers.push(setInterval(() => send(kart, "kart", 10), 100));
    traffic.#timers.push(setInterval(() => send(chess, "chess", 2), 200));
    return traffic;
  }

  /** Until kart has been refused over its quota and chess has been acked. */
  async flowing(): Promise<void> {
    await this.kart.waitFor(() => this.kart.rejected.size > 0, 30_000, "kart refused over its quota");
    await this.chess.waitFor(() => this.chess.acked.size > 0, 30_000, "chess acked");
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.all([this.kart.close(), this.chess.close()]);
  }
}
