import { migration } from "./migration.js";

/**
 * A key's and a team's default tags (JSON `{"project": "checkout"}`; null: none): merged into every request
 * the key makes, under the request's own llmux-tags. Nullable: the release before neither reads nor writes them.
 */
export const m042 = migration("042_default_tags", async (s) => {
  for (const table of ["api_keys", "teams"]) await s.add(table, "tags text");
});
