/**
 * The ops CLI's side of an edge's admin API: JSON requests, pushing a signed map (and with `--wait`
 * following it across the fleet), and reading the fleet.
 *
 * @module
 */
import { formatRouteMapProblems, type RouteMapProblem } from "../../core/route_map/route_map_problem.ts";
import { type FleetAnswer, waitForRollout } from "./rollout_cli.ts";
import { adminUrl, RoutesCliError, timeoutOption } from "./routes_cli_options.ts";

/** Fetches `url` and reads its JSON body; a network failure or a body that is not JSON is a RoutesCliError. */
export async function adminRequest(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new RoutesCliError(`cannot reach ${url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    throw new RoutesCliError(`${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** POSTs a signed map to the edge's admin API, and with --wait follows it across the fleet; returns the exit code. */
export async function pushSignedRouteMap(
  values: Record<string, string | undefined>,
  body: Uint8Array,
  out: (line: string) => void,
): Promise<number> {
  const admin = adminUrl(values);
  const timeoutMs = timeoutOption(values);
  const { status, body: answer } = await adminRequest(`${admin}/v1/routes`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf" },
    body: body as BodyInit,
  });
  if (status !== 200) {
    const error = answer.error as { code?: string; message?: string } | undefined;
    const listed = answer.problems as RouteMapProblem[] | undefined;
    const problems = listed?.length ? `\n  ${formatRouteMapProblems(listed, "\n  ")}` : "";
    const current = answer.currentVersion === undefined ? "" : ` (version in force: ${answer.currentVersion})`;
    throw new RoutesCliError(`push refused: HTTP ${status} ${error?.code}: ${error?.message}${current}${problems}`);
  }
  const as = answer.cohort === undefined ? "" : ` as a canary for ${answer.cohort} of players`;
  out(
    `applied version ${answer.version}${as} (${answer.routes} routes) in ${answer.applyMs} ms; published to the route map topic: ${answer.published}`,
  );
  if (!values.wait) return 0;
  const readFleet = () => fleetOf(admin);
  return await waitForRollout({ version: BigInt(String(answer.version)), timeoutMs, readFleet, out });
}

/** The fleet as the edge at `admin` sees it (`GET /v1/fleet`). */
export async function fleetOf(admin: string): Promise<FleetAnswer> {
  const { status, body } = await adminRequest(`${admin}/v1/fleet`);
  if (status !== 200) throw new RoutesCliError(`cannot read the fleet from ${admin}: HTTP ${status}`);
  return body as unknown as FleetAnswer;
}
