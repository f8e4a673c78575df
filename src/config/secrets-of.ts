import type { Config } from "./schema.js";
import type { DeclaredSecret } from "./secret-fields.js";

/**
 * The secrets a configuration declares (its fields marked `secret(...)`, secret-fields.ts), found without the
 * configuration's schema in this process. A serving gateway validates its configuration in a child process
 * (src/cli/config-aside.ts), which answers the secrets with it: they are noted here for that configuration.
 * A process that validates in place (load.ts: the commands, the tests) has the schema, and load.ts registers
 * the walk over it. A configuration neither noted nor walkable is an error, never an empty list: its secrets
 * would reach logs and recordings unredacted.
 */
const noted = new WeakMap<Config, readonly DeclaredSecret[]>();
let walk: ((config: Config) => DeclaredSecret[]) | undefined;

/** The secrets of a configuration validated elsewhere (the validation child's answer). */
export function noteSecrets(config: Config, secrets: readonly DeclaredSecret[]): void {
  noted.set(config, secrets);
}

/** How to find the secrets of any configuration: the walk over the schema (load.ts, once loaded). */
export function walkSecretsWith(fn: (config: Config) => DeclaredSecret[]): void {
  walk = fn;
}

export function secretsOf(config: Config): readonly DeclaredSecret[] {
  const found = noted.get(config);
  if (found) return found;
  if (walk) return walk(config);
  throw new Error(
    "the configuration's secrets are unknown: it was validated neither in this process nor by llmux's validation child",
  );
}
