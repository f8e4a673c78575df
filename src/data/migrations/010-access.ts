import { migration } from "./migration.js";

/**
 * `api_keys.providers`: a JSON array of the providers a key may reach at all (a signup key: the one it
 * brought a key for); null: any. `teams.disabled`: a team whose keys are all refused, kept with its keys,
 * spend and settings (1), or not (0 or null).
 */
export const m010 = migration("010_access", async (s) => {
  await s.add("api_keys", "providers text");
  await s.add("teams", "disabled integer");
});
