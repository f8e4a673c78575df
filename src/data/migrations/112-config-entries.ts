import { migration } from "./migration.js";

/**
 * Models, providers and aliases changed at runtime (src/data/config-entries.ts): `config_versions` has a row
 * per change (its version, who, when, what), `config_entries` the entries that change set (a body, or null:
 * removed; a provider's credentials sealed). The entries in force are each name's latest row; a version is
 * the state after its change. Additive: the release before neither reads nor writes them.
 */
export const m112 = migration("112_config_entries", async (s) => {
  await s.table(
    "config_versions",
    "version bigint not null, actor text not null, at bigint not null, what text not null",
    {
      key: ["version"],
    },
  );
  await s.table(
    "config_entries",
    "version bigint not null, kind text not null, name text not null, body text, sealed text, key_version text",
    { key: ["version", "kind", "name"] },
  );
});
