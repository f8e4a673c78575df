import { existsSync } from "node:fs";
import { join } from "node:path";
import { configFromEnv } from "./env-setup.js";
import { loadConfigFile, parseConfig } from "./load.js";
import type { Config } from "./schema.js";
import { configWarnings } from "./warnings.js";

export interface ResolvedConfig {
  config: Config;
  /** Where it came from, in words, for the start-up line. */
  source: string;
  /** What the environment set up. */
  notices: string[];
  /** Things that work but are probably not what was meant. */
  warnings: string[];
  /** Nothing was configured: the built-in mock serves every model name. */
  mock: boolean;
}

/** Where the configuration comes from: --config, $LLMUX_CONFIG, ./llmux.yaml, or the environment. */
export function resolveConfig(
  opts: { config?: string | undefined; cwd?: string | undefined },
  env: NodeJS.ProcessEnv,
): ResolvedConfig {
  const local = join(opts.cwd ?? process.cwd(), "llmux.yaml");
  const file = opts.config ?? (env.LLMUX_CONFIG || undefined) ?? (existsSync(local) ? local : undefined);
  const warnings: string[] = [];
  if (file) {
    const config = loadConfigFile(file, env, warnings);
    warnings.push(...configWarnings(config));
    return { config, source: file === local ? "./llmux.yaml" : file, notices: [], warnings, mock: false };
  }
  const setup = configFromEnv(env);
  const config = parseConfig(setup.raw, env, warnings);
  if (!setup.mock) warnings.push(...configWarnings(config));
  const source = setup.mock ? "nothing configured: the built-in mock model" : "environment variables";
  return { config, source, notices: setup.notices, warnings, mock: setup.mock };
}
