/** The configuration layer's tables (112_config_entries): src/data/config-entries.ts. */

/** One change of the stored configuration: its version (the state after it), who made it, when, what. */
export interface ConfigVersionsTable {
  version: number;
  actor: string;
  /** Unix milliseconds. */
  at: number;
  /** What changed, in words (`put models fast`, `rollback to 3`). */
  what: string;
}

/** An entry a change set: a provider's or a model alias's settings, or null (removed: the file's again). */
export interface ConfigEntriesTable {
  version: number;
  /** providers | models */
  kind: string;
  name: string;
  /** JSON of the settings, credentials replaced by "[sealed]"; null: removed. */
  body: string | null;
  /** The whole settings JSON sealed with the master key (a provider with credentials); null: none. */
  sealed: string | null;
  key_version: string | null;
}
