/** Keys and teams named on the command line by id or by name (names work wherever ids do). */
import { ADMIN_OPTIONS, AdminCallFailed, type AdminClient, output, outputFields, withClient } from "./admin-client.js";
import type { ArgumentSpec, Command, CommandInput } from "./command.js";
import { optFlag } from "./values.js";

interface Named {
  id: string;
  name: string;
  user?: string | null;
}

function one(kind: "key" | "team", ref: string, found: Named[], prefix: string): string {
  if (found.length === 1) return found[0]!.id;
  if (found.length === 0) throw new AdminCallFailed(`no ${kind} named '${ref}' (give its name or its id, ${prefix}…)`);
  throw new AdminCallFailed(
    `${found.length} ${kind}s are named '${ref}': give the id (${found.map((k) => k.id).join(", ")})`,
  );
}

/** A key by id (`key_…`) or by name; `revoked` also looks among revoked keys (they keep their names). */
export async function keyIdOf(c: AdminClient, ref: string, revoked = false): Promise<string> {
  if (ref.startsWith("key_")) return ref;
  const keys = (await c.call("GET", "/admin/v1/keys", undefined, revoked ? { revoked: "all" } : {})) as {
    data: Named[];
  };
  return one(
    "key",
    ref,
    keys.data.filter((k) => k.name === ref),
    "key_",
  );
}

/** A team by id (`team_…`) or by name. */
export async function teamIdOf(c: AdminClient, ref: string): Promise<string> {
  if (ref.startsWith("team_")) return ref;
  const teams = (await c.call("GET", "/admin/v1/teams")) as { data: Named[] };
  return one(
    "team",
    ref,
    teams.data.filter((t) => t.name === ref),
    "team_",
  );
}

/**
 * Whose requests `llmux logs --key` means: a key by id or name, else the keys whose user label it is (the
 * help says "its name"; people give the holder's name as often).
 */
export async function requestsOf(c: AdminClient, ref: string): Promise<{ key_id: string } | { user: string }> {
  if (ref.startsWith("key_")) return { key_id: ref };
  const keys = (await c.call("GET", "/admin/v1/keys", undefined, { revoked: "all" })) as { data: Named[] };
  const byName = keys.data.filter((k) => k.name === ref);
  if (byName.length > 0) return { key_id: one("key", ref, byName, "key_") };
  if (keys.data.some((k) => k.user === ref)) return { user: ref };
  throw new AdminCallFailed(`no key named '${ref}' and no key held by a user '${ref}' (give a name, an id or a user)`);
}

/** A command on one key or team (by name or id): `act` is given its id; `more`, other options and examples. */
export function refCommand(
  kind: "key" | "team",
  name: string,
  summary: string,
  args: ArgumentSpec[],
  act: (c: AdminClient, id: string, input: CommandInput) => Promise<void>,
  more: Pick<Command, "options" | "examples"> = {},
): Command {
  const idOf = kind === "key" ? keyIdOf : teamIdOf;
  return {
    name,
    summary,
    options: ADMIN_OPTIONS,
    arguments: args,
    ...more,
    run: (input) => withClient(input, async (c) => act(c, await idOf(c, input.args[0]!), input)),
  };
}

/** `keys show` / `teams show`: every field of the key or team. */
export function showCommand<T>(
  kind: "key" | "team",
  summary: string,
  args: ArgumentSpec[],
  view: { row: (answer: T) => Record<string, unknown>; fields: string[] },
): Command {
  return refCommand(kind, "show", summary, args, async (c, id, input) => {
    const out = (await c.call("GET", `/admin/v1/${kind}s/${encodeURIComponent(id)}`)) as T;
    outputFields(input, out, view.row(out), view.fields);
  });
}

/**
 * `keys revoke` / `teams delete`: DELETE the key or team; the answer with --json, else `done` said of it
 * (`Key alice (key_…) revoked.`).
 */
export function deleteCommand(
  kind: "key" | "team",
  name: string,
  summary: string,
  args: ArgumentSpec[],
  done: string,
): Command {
  return refCommand(kind, name, summary, args, async (c, id, input) => {
    const out = await c.call("DELETE", `/admin/v1/${kind}s/${encodeURIComponent(id)}`);
    if (optFlag(input, "json")) return output(input, out, []);
    process.stdout.write(`${kind === "key" ? "Key" : "Team"} ${input.args[0]} (${id}) ${done}\n`);
  });
}
