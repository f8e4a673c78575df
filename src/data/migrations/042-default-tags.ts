import type { Migration } from "./migration.js";

export const m042: Migration = {
  id: "042_default_tags",
  /**
   * A key's and a team's default tags (JSON `{"project": "checkout"}`; null: none): merged into every request
   * the key makes, under the request's own llmux-tags. Nullable: the release before neither reads nor writes them.
   */
  async up(db) {
    for (const table of ["api_keys", "teams"]) await db.schema.alterTable(table).addColumn("tags", "text").execute();
  },
};
