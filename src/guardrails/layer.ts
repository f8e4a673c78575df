import type { GuardrailPolicy, GuardrailsConfig, GuardrailsGatewayPolicy } from "../config/schema-guardrails.js";

/** Where a policy set at run time applies: the gateway, or one team, key (id or name) or alias. */
export type PolicyKind = "gateway" | "team" | "key" | "alias";

/**
 * The policies the admin API set at run time, over the configuration file's: the gateway's (each field it
 * names in place of the file's), and per team, key and alias (each in place of the file's for that one).
 */
export interface StoredLayer {
  readonly gateway?: GuardrailsGatewayPolicy | undefined;
  readonly teams: Readonly<Record<string, GuardrailPolicy>>;
  readonly keys: Readonly<Record<string, GuardrailPolicy>>;
  readonly aliases: Readonly<Record<string, GuardrailPolicy>>;
}

export const NO_LAYER: StoredLayer = { teams: {}, keys: {}, aliases: {} };

/** A policy's row name in the data layer: `gateway`, `team:<id>`, `key:<id or name>`, `alias:<name>`. */
export const scopeOf = (kind: PolicyKind, id = ""): string => (kind === "gateway" ? "gateway" : `${kind}:${id}`);

export const PLURAL = { team: "teams", key: "keys", alias: "aliases" } as const;

/** The configuration in force: the file's, with the layer set at run time over it. */
export function layered(file: GuardrailsConfig, layer: StoredLayer): GuardrailsConfig {
  const g = layer.gateway ?? {};
  const set = Object.fromEntries(Object.entries(g).filter(([, v]) => v !== undefined));
  return {
    ...file,
    ...set,
    teams: { ...file.teams, ...layer.teams },
    keys: { ...file.keys, ...layer.keys },
  };
}
