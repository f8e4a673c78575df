import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../config/config-error.js";
import type { ResolvedConfig } from "../config/resolve.js";
import type { DeclaredSecret } from "../config/secret-fields.js";
import { noteSecrets } from "../config/secrets-of.js";

/** What the validation child is given: `llmux start`'s options and the environment it reads. */
export interface CheckInput {
  readonly opts: { config?: string | undefined; cwd?: string | undefined };
  readonly env: Record<string, string | undefined>;
}

/** What it answers: the configuration and its secrets, or its problems, or another error. */
export type CheckAnswer =
  | { resolved: ResolvedConfig; secrets: DeclaredSecret[] }
  | { problems: string[]; heading: string }
  | { error: string };

/** The child's output at most (a configuration with a large price list is a few MB). */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/**
 * The configuration `llmux start` serves, validated in a child process (config-check.ts) so that the
 * configuration's schema and zod (about 8 MB of a gateway's resident memory) are never loaded in the
 * gateway: what it needs of them is the validated configuration, a plain JSON value, and the secrets it
 * declares (noted for the redaction, src/config/secrets-of.ts). The child is the built program
 * (dist/bundle/config-check.js, found from dist/bundle/ and dist/cli/ alike); run from its sources (the
 * tests), the configuration is validated in this process instead.
 */
export async function resolveConfigAside(opts: CheckInput["opts"], env: NodeJS.ProcessEnv): Promise<ResolvedConfig> {
  const program = fileURLToPath(new URL("../bundle/config-check.js", import.meta.url));
  if (!existsSync(program)) return (await import("../config/resolve.js")).resolveConfig(opts, env);
  const input: CheckInput = { opts: { ...opts, cwd: opts.cwd ?? process.cwd() }, env };
  // The child reads its environment from its input; its own is this one's but for node options (an inspector's
  // port, a preloaded module), which are this process's.
  const { NODE_OPTIONS: _, ...own } = env;
  const run = spawnSync(process.execPath, [program], {
    input: JSON.stringify(input),
    env: own,
    encoding: "utf8",
    maxBuffer: MAX_ANSWER_BYTES,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let answer: CheckAnswer;
  try {
    answer = JSON.parse(run.stdout) as CheckAnswer;
  } catch {
    const why = run.error?.message ?? (run.stderr.trim() || `exit ${run.status ?? run.signal}`);
    throw new Error(`the configuration could not be checked: ${why}`);
  }
  if ("error" in answer) throw new Error(answer.error);
  if ("problems" in answer) throw new ConfigError(answer.problems, answer.heading);
  noteSecrets(answer.resolved.config, answer.secrets);
  return answer.resolved;
}
