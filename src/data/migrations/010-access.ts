import type { Migration } from "./migration.js";

export const m010: Migration = {
  id: "010_access",
  /**
   * `api_keys.providers`: a JSON array of the providers a key may reach at all (a signup key: the one it
   * brought a key for); null: any. `teams.disabled`: a team whose keys are all refused, kept with its keys,
   * spend and settings (1), or not (0 or null).
   */
  async up(db) {
    await db.schema.alterTable("api_keys").addColumn("providers", "text").execute();
    await db.schema.alterTable("teams").addColumn("disabled", "integer").execute();
  },
};
