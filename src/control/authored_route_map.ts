import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { type RouteMap, RouteMapSchema } from "../gen/veltrix/v1/route_map_pb.ts";

/**
 * Reads a route map as ops author it: the RouteMap's protobuf JSON form, except that a schema's
 * `jsonSchema` may be written as the schema itself (an object or a boolean) rather than as JSON
 * text in a string; it is turned into its JSON text, which is what the map carries and signs.
 * Throws on text that is not JSON or not a RouteMap.
 *
 * @example
 * ```ts
 * import { parseAuthoredRouteMap } from "./authored_route_map.ts";
 * const map = parseAuthoredRouteMap(
 *   '{"version":"2","schemas":[{"match":"treasure.collected","jsonSchema":{"type":"object"}}]}',
 * );
 * map.schemas[0]?.jsonSchema; // '{"type":"object"}'
 * ```
 */
export function parseAuthoredRouteMap(text: string): RouteMap {
  const json = JSON.parse(text) as JsonValue;
  if (typeof json === "object" && json !== null && !Array.isArray(json) && Array.isArray(json.schemas)) {
    json.schemas = json.schemas.map((entry) => {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return entry;
      const schema = entry.jsonSchema;
      return typeof schema === "object" || typeof schema === "boolean"
        ? { ...entry, jsonSchema: JSON.stringify(schema) }
        : entry;
    });
  }
  return fromJson(RouteMapSchema, json);
}
