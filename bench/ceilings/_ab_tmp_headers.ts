// ---- temporary A/B header experiment (deleted after measuring) ----
import { Buffer as NodeBuffer } from "node:buffer";
const AB = Deno.env.get("AB_HEADERS") ?? "5";
const CT = NodeBuffer.from("application/x-protobuf; messageType=veltrix.v1.RoutedEvent");
const RV = new Map<string, NodeBuffer>();
function rvBuf(v: string): NodeBuffer {
  let b = RV.get(v);
  if (b === undefined) RV.set(v, b = NodeBuffer.from(v));
  return b;
}
// deno-lint-ignore no-explicit-any
export function abTransform(built: any): any {
  for (const r of built.records) {
    const h = r.headers;
    let n: Record<string, unknown>;
    switch (AB) {
      case "5":
        n = { ...h };
        break;
      case "3":
        n = {
          "veltrix-event-id": h["veltrix-event-id"],
          "veltrix-route-version": h["veltrix-route-version"],
          "content-type": h["content-type"],
        };
        break;
      case "5buf":
        n = { ...h, "veltrix-route-version": rvBuf(h["veltrix-route-version"]), "content-type": CT };
        break;
      case "3buf":
        n = {
          "veltrix-event-id": h["veltrix-event-id"],
          "veltrix-route-version": rvBuf(h["veltrix-route-version"]),
          "content-type": CT,
        };
        break;
      case "0":
        n = {};
        break;
      default:
        throw new Error(AB);
    }
    r.headers = n;
  }
  return built;
}
