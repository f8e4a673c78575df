import { z } from "zod";
import { issueLines } from "./issues.js";
import { crossCheck } from "./load.js";
import { type Config, ModelSchema, ProviderSchema } from "./schema.js";
import type { RoutingRule } from "./schema-rules.js";
import { declaredSecrets } from "./secret-fields.js";

/**
 * The configuration in force: the file's (the base layer), with the providers and model aliases stored at
 * runtime added or put in place of the file's by name. Stored entries are checked by the schemas the file is,
 * and the merged whole by the file's cross-checks (a model naming no provider, a fallback or a routing rule
 * naming no alias): a problem is a line naming its field (`models.fast.provider: no provider named 'x'`).
 */

/** Stored settings by kind and name, as written (before the schema's defaults). */
export interface StoredLayer {
  providers: Record<string, unknown>;
  models: Record<string, unknown>;
}

const Layer = z
  .object({ providers: z.record(z.string(), ProviderSchema), models: z.record(z.string(), ModelSchema) })
  .strict();

/** Names an entry may have: what a YAML key and a URL path both carry. */
export const ENTRY_NAME = /^[A-Za-z0-9][A-Za-z0-9._:*@-]{0,127}$/;

export function mergeLayer(
  base: Config,
  stored: StoredLayer,
  rules?: readonly RoutingRule[],
): { config: Config; problems: string[] } {
  const problems: string[] = [];
  for (const kind of ["providers", "models"] as const)
    for (const name of Object.keys(stored[kind]))
      if (!ENTRY_NAME.test(name)) problems.push(`${kind}.${name}: a name is 1–128 letters, digits and . _ : * @ -`);
  const parsed = Layer.safeParse(stored);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...issueLines(issue, stored, Layer));
    return { config: base, problems };
  }
  const config: Config = {
    ...base,
    providers: { ...base.providers, ...parsed.data.providers },
    models: { ...base.models, ...parsed.data.models },
    routing: rules ? { ...base.routing, rules: [...rules] } : base.routing,
  };
  crossCheck(config, problems);
  return { config, problems };
}

/** The credential values of a provider's settings (what is sealed, and redacted wherever it could show). */
export function providerSecrets(settings: unknown): string[] {
  return declaredSecrets(ProviderSchema, settings).map((s) => s.value);
}
