import { homedir } from "node:os";
import { join } from "node:path";

/**
 * llmux's private state directory on this machine (the background llmux's log and pid, the launchers' settings
 * files, `llmux login`'s address and key): $LLMUX_STATE_DIR, else $XDG_STATE_HOME/llmux, else ~/.llmux.
 */
export function stateDir(env: NodeJS.ProcessEnv): string {
  if (env.LLMUX_STATE_DIR) return env.LLMUX_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, "llmux");
  return join(env.HOME || homedir(), ".llmux");
}
