import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { loadConfigFile } from "../config/load.js";

type Env = Record<string, string | undefined>;

/**
 * The port llmux listens on, found as `llmux start` finds it (without --port): `PORT`, else `server.port` of
 * the configuration `$LLMUX_CONFIG` names, else 4000. The container's health check asks this port, so a
 * configuration that moves llmux off 4000 does not leave the check knocking at the wrong door.
 */
export function healthPort(env: Env): number {
  if (env.PORT && /^\d+$/.test(env.PORT)) return Number(env.PORT);
  const path = env.LLMUX_CONFIG;
  if (!path) return 4000;
  try {
    return loadConfigFile(path, env).server.port;
  } catch {
    // A configuration llmux would refuse leaves it down anyway; read what port it names, if any.
    try {
      const port = (parseYaml(readFileSync(path, "utf8")) as { server?: { port?: unknown } } | null)?.server?.port;
      return typeof port === "number" ? port : 4000;
    } catch {
      return 4000;
    }
  }
}
