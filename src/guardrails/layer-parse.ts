import {
  type GuardrailPolicy,
  GuardrailPolicySchema,
  type GuardrailsGatewayPolicy,
  GuardrailsGatewayPolicySchema,
} from "../config/schema-guardrails.js";
import { PLURAL, type PolicyKind, type StoredLayer } from "./layer.js";

// The policies' schemas (and zod) are loaded by this module alone: a gateway imports it once policies are stored.

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
