import { existsSync } from "node:fs";
import { configFromEnv } from "../config/env-setup.js";
import { loadConfigFile, parseConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { Gateway } from "../gateway/gateway.js";
import { createLogger, type Logger } from "../observe/logger.js";
import { type Args, flagPort, flagString } from "./args.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** Where the configuration comes from: --config, $LLMUX_CONFIG, ./llmux.yaml, or the environment. */
export function resolveConfig(
  args: Args,
  env: NodeJS.ProcessEnv,
): { config: Config; source: string; notices: string[] } {
  const file = flagString(args, "config") ?? env.LLMUX_CONFIG ?? (existsSync("llmux.yaml") ? "llmux.yaml" : undefined);
  if (file) return { config: loadConfigFile(file, env), source: file, notices: [] };
  const setup = configFromEnv(env);
  return { config: parseConfig(setup.raw, env), source: "environment", notices: setup.notices };
}

export async function start(args: Args, env: NodeJS.ProcessEnv = process.env, injected?: Logger): Promise<Gateway> {
  const { config, source, notices } = resolveConfig(args, env);
  const port = flagPort(args) ?? (env.PORT && /^\d+$/.test(env.PORT) ? Number(env.PORT) : config.server.port);
  const host = flagString(args, "host") ?? config.server.host;
  const logger = injected ?? createLogger(config.logging.level, config.logging.pretty);
  const gateway = new Gateway(config, logger);
  const addr = await gateway.listen(port, host);
  for (const n of notices) logger.info(n);
  const scheme = config.server.tls ? "https" : "http";
  logger.info(
    {
      config: source,
      url: `${scheme}://${host.includes(":") ? `[${host}]` : host}:${addr.port}`,
      models: gateway.models.names(),
    },
    "llmux listening",
  );
  if (config.auth.keys.length === 0 && !config.auth.passthrough) {
    if (!LOOPBACK.has(host)) {
      logger.warn(
        `NO AUTH: llmux is bound to ${host} and accepts requests from anyone who can reach it, spending your provider credits. Set auth.keys (or SERVICE_API_KEY).`,
      );
    } else logger.info("no service keys configured: any local client may call llmux (set auth.keys to require one)");
  }
  return gateway;
}
