/**
 * The shared route update cases (`testing/route_update_surface_cases.ts`) on each surface that takes a
 * signed map, in process: `POST /v1/routes` with a binary body, the same with a JSON body (through
 * Hono's `app.request()`), and the Connect `UpdateRouteMap` RPC as the admin app mounts it (the
 * Connect unary protocol, binary encoding, through `app.request()`). Each adapter checks its own
 * wire on every answer: the documented HTTP status and exact JSON body, or the Connect code, the
 * `CODE: ` message prefix and the `veltrix-*` metadata.
 */
import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Hono } from "hono";
import { UpdateRouteMapRequestSchema, UpdateRouteMapResponseSchema } from "../gen/veltrix/control/v1/control_pb.ts";
import type { SignedRouteMap } from "../gen/veltrix/v1/route_map_pb.ts";
import { type ErrorCode, isErrorCode, type RpcCode } from "../core/errors/error_code.ts";
import { signedBytes, signedJson } from "../core/updates/testing/route_signing.ts";
import { mountControlService } from "./control_service.ts";
import { mountRouteAdminRoutes } from "./route_admin_routes.ts";
import {
  type RouteUpdateAnswer,
  type RouteUpdateSurface,
  routeUpdateSurfaceCases,
} from "./testing/route_update_surface_cases.ts";

/** The statuses `POST /v1/routes` documents for each refusal. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  MALFORMED_ROUTE_UPDATE: 400,
  UNKNOWN_SIGNING_KEY: 401,
  BAD_SIGNATURE: 401,
  STALE_ROUTE_MAP: 409,
  ROUTE_UPDATE_TOO_LARGE: 413,
  INVALID_ROUTE_MAP: 422,
  ROUTE_TOPICS_UNAVAILABLE: 503,
};

/** The Connect codes `UpdateRouteMap` answers each refusal with. */
const CONNECT_CODE: Partial<Record<ErrorCode, RpcCode>> = {
  MALFORMED_ROUTE_UPDATE: "invalid_argument",
  UNKNOWN_SIGNING_KEY: "unauthenticated",
  BAD_SIGNATURE: "unauthenticated",
  STALE_ROUTE_MAP: "failed_precondition",
  ROUTE_UPDATE_TOO_LARGE: "resource_exhausted",
  INVALID_ROUTE_MAP: "invalid_argument",
  ROUTE_TOPICS_UNAVAILABLE: "unavailable",
};

/** `POST /v1/routes` sending each update as `encode` makes it. */
function adminHttpSurface(
  name: string,
  encode: (signed: SignedRouteMap) => { body: BodyInit; contentType: string },
  malformed: { body: BodyInit; contentType: string },
): RouteUpdateSurface {
  return {
    name,
    mount(control, maxBytes) {
      const app = new Hono();
      mountRouteAdminRoutes(app, control, maxBytes);
      const send = async ({ body, contentType }: { body: BodyInit; contentType: string }) =>
        readHttpAnswer(
          await app.request("/v1/routes", { method: "POST", headers: { "content-type": contentType }, body }),
        );
      return { post: (signed) => send(encode(signed)), postMalformed: () => send(malformed) };
    },
  };
}

/**
 * Reads `POST /v1/routes`'s answer, checking a refusal's status and that its body is exactly
 * `{error:{code,message}}`, plus `currentVersion` for a stale map and `problems` for an invalid one.
 */
async function readHttpAnswer(response: Response): Promise<RouteUpdateAnswer> {
  const body = await response.json();
  if (response.status === 200) return { ok: true, version: BigInt(body.version), routes: body.routes };
  const { error, ...extra } = body as { error: { code: string; message: string }; [key: string]: unknown };
  assert.deepEqual(Object.keys(error), ["code", "message"]);
  assert.ok(isErrorCode(error.code), error.code);
  assert.equal(response.status, HTTP_STATUS[error.code], `status of ${error.code}`);
  const extraKeys = { STALE_ROUTE_MAP: ["currentVersion"], INVALID_ROUTE_MAP: ["problems"] }[error.code as string];
  assert.deepEqual(Object.keys(extra), extraKeys ?? [], `body of ${error.code}`);
  return {
    ok: false,
    code: error.code,
    message: error.message,
    ...(typeof extra.currentVersion === "number" ? { currentVersion: BigInt(extra.currentVersion) } : {}),
  };
}

const UPDATE_ROUTE_MAP = "/veltrix.control.v1.ControlService/UpdateRouteMap";

/** `UpdateRouteMap` as the admin app serves it, called with the Connect unary protocol's binary encoding. */
const connectSurface: RouteUpdateSurface = {
  name: "Connect UpdateRouteMap",
  mount(control) {
    const app = new Hono();
    mountControlService(app, control);
    const call = async (body: Uint8Array<ArrayBuffer>) =>
      readConnectAnswer(
        await app.request(UPDATE_ROUTE_MAP, {
          method: "POST",
          headers: { "content-type": "application/proto", "connect-protocol-version": "1" },
          body,
        }),
      );
    return {
      post: (signedRouteMap) =>
        call(toBinary(UpdateRouteMapRequestSchema, create(UpdateRouteMapRequestSchema, { signedRouteMap }))),
      // An empty message: a request without signed_route_map.
      postMalformed: () => call(new Uint8Array()),
    };
  },
};

/**
 * Reads a Connect unary answer: the response message, or the error JSON `{code,message}` with the
 * Veltrix code in `veltrix-error-code` and, for a refusal by the control plane, the version in force
 * in `veltrix-current-version`.
 */
async function readConnectAnswer(response: Response): Promise<RouteUpdateAnswer> {
  if (response.status === 200) {
    assert.equal(response.headers.get("content-type"), "application/proto");
    const answer = fromBinary(UpdateRouteMapResponseSchema, new Uint8Array(await response.arrayBuffer()));
    return { ok: true, version: answer.version, routes: answer.routes };
  }
  assert.equal(response.headers.get("content-type"), "application/json");
  const body = await response.json() as { code: string; message: string };
  const code = response.headers.get("veltrix-error-code") ?? "";
  assert.ok(isErrorCode(code), `veltrix-error-code: ${code}`);
  assert.equal(body.code, CONNECT_CODE[code], `Connect code of ${code}`);
  assert.ok(body.message.startsWith(`${code}: `), body.message);
  const current = response.headers.get("veltrix-current-version");
  return { ok: false, code, message: body.message, ...(current === null ? {} : { currentVersion: BigInt(current) }) };
}

routeUpdateSurfaceCases(
  adminHttpSurface(
    "POST /v1/routes (binary)",
    (signed) => ({ body: signedBytes(signed), contentType: "application/x-protobuf" }),
    { body: new Uint8Array([0xff, 0xff, 0xff]), contentType: "application/x-protobuf" },
  ),
);

routeUpdateSurfaceCases(
  adminHttpSurface(
    "POST /v1/routes (JSON)",
    (signed) => ({ body: signedJson(signed), contentType: "application/json" }),
    { body: "not json", contentType: "application/json" },
  ),
);

routeUpdateSurfaceCases(connectSurface);
