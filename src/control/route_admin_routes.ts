import { create } from "@bufbuild/protobuf";
import type { Context, Hono } from "hono";
import { type SignedRouteMap, SignedRouteMapSchema } from "../gen/veltrix/v1/route_map_pb.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import { errorResponse } from "../core/errors/error_response.ts";
import type { RouteControl } from "./route_control.ts";
import type { UpdateOutcome } from "./route_update_outcome.ts";
import { appliedToJson, jsonVersion } from "../core/route_map/applied_route_map_json.ts";
import { currentRoutesToJson } from "./route_json.ts";

/**
 * Mounts the route control endpoints on the admin app:
 * - `POST /v1/routes`: a binary SignedRouteMap (`content-type: application/x-protobuf`) or JSON
 *   `{"routeMap":"<base64>","keyId":"...","signature":"<base64>"}`; answers 200, 400, 401, 409,
 *   413, 422 or 503 with JSON;
 * - `GET /v1/routes`: the map in force, its signer, when it was applied, and the history; with
 *   `tenantQuotas`, also the part of each tenant quota this edge enforces.
 */
export function mountRouteAdminRoutes(
  app: Hono,
  control: RouteControl,
  maxBytes: number,
  tenantQuotas?: () => unknown,
): void {
  app.get(
    "/v1/routes",
    (c) => c.json({ ...currentRoutesToJson(control), ...(tenantQuotas ? { tenantQuotas: tenantQuotas() } : {}) }),
  );

  app.post("/v1/routes", async (c) => {
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > maxBytes) {
      return answer(
        c,
        refusedBeforeDecode("ROUTE_UPDATE_TOO_LARGE", `body is ${declared} bytes; the cap is ${maxBytes}`),
      );
    }
    const body = new Uint8Array(await c.req.arrayBuffer());
    const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type === "application/x-protobuf" || type === "application/protobuf" || type === "application/octet-stream") {
      return answer(c, await control.update(body));
    }
    if (type === "application/json" || type === "") {
      if (body.byteLength > maxBytes) {
        return answer(
          c,
          refusedBeforeDecode("ROUTE_UPDATE_TOO_LARGE", `body is ${body.byteLength} bytes; the cap is ${maxBytes}`),
        );
      }
      let signed: SignedRouteMap;
      try {
        signed = signedFromJson(new TextDecoder().decode(body));
      } catch (error) {
        return answer(c, refusedBeforeDecode("MALFORMED_ROUTE_UPDATE", (error as Error).message));
      }
      return answer(c, await control.update({ signed, size: signed.routeMap.byteLength }));
    }
    return answer(
      c,
      refusedBeforeDecode("MALFORMED_ROUTE_UPDATE", `content-type must be application/x-protobuf or application/json`),
    );
  });

  function refusedBeforeDecode(code: VeltrixError["code"], message: string): UpdateOutcome {
    return { ok: false, error: new VeltrixError(code, message), currentVersion: control.current.version };
  }
}

/** Parses the JSON form of a signed route map: base64 `routeMap` and `signature`, and `keyId`. */
export function signedFromJson(text: string): SignedRouteMap {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error("body is not JSON");
  }
  const { routeMap, keyId, signature } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof routeMap !== "string" || typeof keyId !== "string" || typeof signature !== "string") {
    throw new Error('body must be {"routeMap":"<base64>","keyId":"...","signature":"<base64>"}');
  }
  return create(SignedRouteMapSchema, {
    routeMap: fromBase64(routeMap, "routeMap"),
    keyId,
    signature: fromBase64(signature, "signature"),
  });
}

function fromBase64(text: string, field: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  } catch {
    throw new Error(`${field} is not valid base64`);
  }
}

/**
 * Answers an update: 200 with what was applied, or the refusal with `currentVersion` (for
 * STALE_ROUTE_MAP) and `problems` (for an invalid map) beside the error.
 */
function answer(c: Context, outcome: UpdateOutcome): Response {
  if (outcome.ok) {
    const { version, routes, applyMs, cohort } = appliedToJson(outcome.applied);
    return c.json({
      version,
      routes,
      applyMs,
      ...(cohort === undefined ? {} : { cohort }),
      published: outcome.published,
    });
  }
  return errorResponse(outcome.error, {
    ...(outcome.error.code === "STALE_ROUTE_MAP" ? { currentVersion: jsonVersion(outcome.currentVersion) } : {}),
    ...(outcome.problems ? { problems: outcome.problems } : {}),
  });
}
