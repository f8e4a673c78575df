import {
  type GuardrailPolicy,
  GuardrailPolicySchema,
  type GuardrailsConfig,
  type GuardrailsGatewayPolicy,
  GuardrailsGatewayPolicySchema,
} from "../config/schema-guardrails.js";

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

const PLURAL = { team: "teams", key: "keys", alias: "aliases" } as const;

/**
 * The stored rows as a layer; a row that does not parse (written by a newer release, or by hand) is left out
 * and named in `problems` (never with its content).
 */
export function layerOf(rows: readonly { scope: string; policy: string }[]): {
  layer: StoredLayer;
  problems: string[];
} {
  const out = { teams: {}, keys: {}, aliases: {} } as {
    gateway?: GuardrailsGatewayPolicy;
    teams: Record<string, GuardrailPolicy>;
    keys: Record<string, GuardrailPolicy>;
    aliases: Record<string, GuardrailPolicy>;
  };
  const problems: string[] = [];
  for (const r of rows) {
    try {
      const json: unknown = JSON.parse(r.policy);
      if (r.scope === "gateway") {
        out.gateway = GuardrailsGatewayPolicySchema.parse(json);
        continue;
      }
      const colon = r.scope.indexOf(":");
      const kind = r.scope.slice(0, colon) as Exclude<PolicyKind, "gateway">;
      if (colon < 1 || !(kind in PLURAL)) throw new Error("unknown scope");
      out[PLURAL[kind]][r.scope.slice(colon + 1)] = GuardrailPolicySchema.parse(json);
    } catch {
      problems.push(r.scope);
    }
  }
  return { layer: out, problems };
}

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
