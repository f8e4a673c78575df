/**
 * The validation child of a starting gateway (config-aside.ts): reads `{opts, env}` as JSON on its stdin,
 * resolves and validates the configuration as `llmux start` would (src/config/resolve.ts), and writes its
 * answer as JSON on stdout: the resolved configuration with the secrets it declares, or the configuration's
 * problems, or another error's words. The configuration's schema and zod are loaded here, in a process that
 * exits once it has answered, rather than kept in the gateway's memory.
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "../config/config-error.js";
import { resolveConfig } from "../config/resolve.js";
import { ConfigSchema } from "../config/schema.js";
import { declaredSecrets } from "../config/secret-fields.js";
import type { CheckAnswer, CheckInput } from "./config-aside.js";

function answer(input: CheckInput): CheckAnswer {
  try {
    const resolved = resolveConfig(input.opts, input.env);
    return { resolved, secrets: declaredSecrets(ConfigSchema, resolved.config) };
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems, heading: err.heading };
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

process.stdout.write(JSON.stringify(answer(JSON.parse(readFileSync(0, "utf8")) as CheckInput)));
