import type { Config } from "./schema.js";

/** A configuration that is valid but probably not what was meant, in words for the start-up log. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  const providers = Object.keys(config.providers);
  if (providers.length === 0) {
    warnings.push(
      "no providers and no models are configured: every generation request will be answered 404 (add `providers` and `models`; see docs/config.md)",
    );
  } else if (Object.keys(config.models).length === 0) {
    warnings.push(
      `no models are configured: clients can only ask for PROVIDER/MODEL names (e.g. ${providers[0]}/MODEL); add \`models\` to give them aliases`,
    );
  }
  return warnings;
}
