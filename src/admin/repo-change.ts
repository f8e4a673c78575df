import { NoMasterKey, UnknownTeam } from "../data/keys.js";
import { DuplicateName } from "../data/teams.js";
import { AdminError } from "./route.js";

/** Errors of the keys' and teams' repositories, as the admin API answers them. */
async function mapped<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UnknownTeam) throw new AdminError(400, err.message, "team_id");
    if (err instanceof NoMasterKey) throw new AdminError(400, err.message, "credentials");
    if (err instanceof DuplicateName) throw new AdminError(409, err.message, "name");
    throw err;
  }
}

/** A change to keys or teams: its errors answered as the admin API does, then `changed` (caches forget). */
export function changer(changed: () => void) {
  return async <T>(run: () => Promise<T>): Promise<T> => {
    const out = await mapped(run);
    changed();
    return out;
  };
}

/** A DELETE's answer: `{id, deleted: true}`, or undefined (404) when there was nothing to delete. */
export const deleted = (id: string) => (ok: boolean) => (ok ? { id, deleted: true } : undefined);
