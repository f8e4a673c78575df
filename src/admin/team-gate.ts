import { AdminError, type AdminRoute, type Scope } from "./route.js";

const notFound = (id: string) => new AdminError(404, `no such id: ${id}`);

/** A route that declares no team scope is for full admins: a team admin is refused before anything is read. */
export function refuseUnscoped(r: AdminRoute, team: string | undefined): void {
  if (team !== undefined && !r.team)
    throw new AdminError(403, `a team admin cannot do this (${r.method} ${r.path}: ${r.summary}); full admins only`);
}

/**
 * A team admin's call, checked in one place before the route runs: a route that declares no team scope is
 * for full admins (403); the route's `{id}` must be of the team (another team's answers 404 to a read, 403 to
 * a change); a body that names a team names theirs (a new key without one gets theirs). The answer is the
 * scope the route's data queries are confined to (lists filtered to the team).
 */
export async function teamGate(
  r: AdminRoute,
  team: string,
  id: string | undefined,
  body: unknown,
  query: unknown,
): Promise<Scope> {
  const change = r.method !== "GET";
  refuseUnscoped(r, team);
  if (!r.team) return { teamId: team };
  if (r.team.of && id !== undefined) {
    const owner = await r.team.of(id, query);
    if (owner === undefined) throw notFound(id);
    if (owner !== team) {
      if (!change) throw notFound(id);
      throw new AdminError(403, `${id} is not of this team admin's team: a team admin changes their own team's only`);
    }
  }
  if (r.team.body && body !== null && typeof body === "object") {
    const b = body as { team_id?: string | null };
    if (b.team_id === undefined && r.method === "POST") b.team_id = team;
    else if (b.team_id !== undefined && b.team_id !== team)
      throw new AdminError(403, "team_id: a team admin's keys belong to their own team", "team_id");
  }
  return { teamId: team };
}
