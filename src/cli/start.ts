import cluster from "node:cluster";
import type { Config } from "../config/schema.js";
import { createLogger, type Logger } from "../log/logger.js";
import { accessLine, accessOf } from "../server/access.js";
import { Gateway } from "../server/gateway.js";
import { recordSettingsAtStart } from "../server/settings-audit.js";
import { describeRedisTarget } from "../state/redis-url.js";
import { StoreFileError } from "../store/store-file.js";
import type { Command } from "./command.js";
import { stringOption } from "./command.js";
import { resolveConfigAside } from "./config-aside.js";
import { Hangups } from "./hangups.js";
import { SettingsRecord } from "./settings-record.js";
import { optPort, optString } from "./values.js";
import { parseWorkers, superviseWorkers } from "./workers.js";

export interface StartOptions {
  /** --config FILE */
  config?: string | undefined;
  port?: number | undefined;
  host?: string | undefined;
  /** Where ./llmux.yaml is looked for (default: the working directory). */
  cwd?: string | undefined;
  /** --record DIR: `logging.record` (the directory) for this run. */
  record?: string | undefined;
}

/** Why the store cannot be used, naming the key to fix (never the URL: it may hold a password). */
function storeError(config: Config, err: Error): Error {
  if (err instanceof StoreFileError) return err;
  const where = config.store.url ? "store.url" : `store.path '${config.store.path}'`;
  return new Error(`${where}: the database cannot be opened (${err.message})`);
}

/** Where llmux keeps its data and its shared state, for the first line (no password). */
function storesOf(config: Config): { store: string; state: string } {
  const bare = (u: string) => {
    try {
      const p = new URL(u);
      return `${p.protocol.replace(/:$/, "")} ${p.host}${p.pathname === "/" ? "" : p.pathname}`;
    } catch {
      return "(unreadable URL)";
    }
  };
  return {
    store: config.store.url ? bare(config.store.url) : `sqlite ${config.store.path}`,
    state: config.state.url ? describeRedisTarget(config.state.url) : "memory (this process)",
  };
}

/** Starts the gateway as `llmux start` does, and logs where it listens and what it serves. */
export async function start(opts: StartOptions, env: NodeJS.ProcessEnv = process.env, injected?: Logger) {
  const { config, source, notices, warnings } = await resolveConfigAside(opts, env);
  if (opts.record) config.logging.record = withRecordDir(config.logging.record, opts.record);
  const port = opts.port ?? (env.PORT && /^\d+$/.test(env.PORT) ? Number(env.PORT) : config.server.port);
  const host = opts.host ?? config.server.host;
  const logger = injected ?? createLogger(config.logging.level, config.logging.pretty);
  const gateway = new Gateway(config, logger);
  // An unusable store (store.path under a file, in a directory llmux may not write, not SQLite) stops the
  // start here, rather than answering 500 to the requests that would need it.
  await gateway.open().catch(async (err: Error) => {
    await gateway.close().catch(() => undefined);
    throw storeError(config, err);
  });
  const stateWarning = await gateway.checkState().catch(async (err: Error) => {
    await gateway.close().catch(() => undefined);
    throw err;
  });
  await gateway.team?.checkSecrets(config).catch(async (err: Error) => {
    await gateway.close().catch(() => undefined);
    throw err;
  });
  // The settings in the audit log when they changed since the last start (workers: their primary records them).
  if (gateway.team && !cluster.isWorker)
    await recordSettingsAtStart(gateway.team.data, config, source).catch((err: Error) =>
      logger.warn(`the settings could not be recorded in the audit log: ${err.message}`),
    );
  const addr = await gateway.listen(port, host).catch(async (err: NodeJS.ErrnoException) => {
    await gateway.close().catch(() => undefined);
    if (err.code === "EADDRINUSE")
      throw new Error(`port ${port} on ${host} is already in use (another llmux?); choose another with --port`);
    if (err.code === "EACCES")
      throw new Error(`not allowed to listen on ${host}:${port} (ports below 1024 need privileges)`);
    throw err;
  });
  for (const n of notices) logger.info(n);
  for (const w of warnings) logger.warn(w);
  const scheme = config.server.tls ? "https" : "http";
  const url = `${scheme}://${host.includes(":") ? `[${host}]` : host}:${addr.port}`;
  const where = storesOf(config);
  logger.info(
    { config: source, url, models: gateway.models.names(), ...where },
    `llmux listening on ${url} (store: ${where.store}; state: ${where.state})`,
  );
  if (stateWarning) logger.warn(stateWarning);
  // Minted keys and sign-in close a gateway without auth.keys just as auth.keys do: the line says which.
  const access = await accessOf(config, gateway.team).catch((err: Error) => err);
  if (access instanceof Error) logger.warn(`access: whether keys were minted could not be read (${access.message})`);
  else {
    const line = accessLine(access, host);
    if (line.warn) logger.warn(line.text);
    else logger.info({ access }, line.text);
  }
  return gateway;
}

export const startCommand: Command = {
  name: "start",
  summary: "Start the gateway.",
  description: [
    "The configuration is the first of: --config FILE, the file named by $LLMUX_CONFIG, ./llmux.yaml,",
    "provider environment variables (AZURE_*, OPENAI_API_KEY, ANTHROPIC_API_KEY, KIMI_API_KEY…). With none",
    "of them, llmux serves its built-in mock model and says so. PORT sets the port when --port is not",
    "given. See docs/config.md.",
  ].join("\n"),
  options: {
    config: { type: "string", short: "c", value: "FILE", description: "The configuration file (YAML)." },
    port: { type: "string", short: "p", value: "N", description: "Port to listen on (0: any free port)." },
    host: stringOption("ADDRESS", "Address to listen on (default 127.0.0.1)."),
    record: stringOption("DIR", "Record each exchange as a replayable fixture in DIR, redacted (logging.record)."),
    workers: stringOption("N|auto", "Worker processes sharing the port (auto: one per core). Default 1."),
  },
  examples: [
    "llmux start --config llmux.yaml",
    "llmux start --port 4001",
    "llmux start --workers auto",
    "llmux start --record ./recordings",
    "llmux          (the same as llmux start)",
  ],
  run: (input) => {
    const opts = {
      config: optString(input, "config"),
      port: optPort(input),
      host: optString(input, "host"),
      record: optString(input, "record"),
    };
    const workers = parseWorkers(optString(input, "workers"));
    if (workers !== undefined && workers > 1 && cluster.isPrimary) {
      // Checked once here, so a mistake is reported once rather than by every worker. The primary serves no
      // request: it validates in place.
      // Before anything else is read: a SIGHUP from here on is a reload once the workers serve, never the end
      // of the primary.
      const hangups = new Hangups();
      return import("../config/resolve.js").then(({ resolveConfig }) =>
        primary(opts, input.env, workers, resolveConfig, hangups),
      );
    }
    return start(opts, input.env);
  },
};

/** The primary of `--workers N`: its settings recorded, its workers supervised (and replaced on a reload). */
function primary(
  opts: StartOptions,
  env: NodeJS.ProcessEnv,
  workers: number,
  resolveConfig: typeof import("../config/resolve.js").resolveConfig,
  hangups: Hangups,
) {
  const { config, source } = resolveConfig(opts, env);
  const logger = createLogger(config.logging.level, config.logging.pretty, true);
  const settings = new SettingsRecord(source);
  const warn = (err: Error) => logger.warn(`the settings could not be recorded in the audit log: ${err.message}`);
  return settings
    .started(config)
    .catch(warn)
    .then(() =>
      superviseWorkers(workers, { info: (m) => logger.info(m), warn: (m) => logger.warn(m) }, hangups, () =>
        settings.reloaded(resolveConfig(opts, env).config),
      ),
    );
}

/** `--record DIR` over the configured `logging.record`: the directory changes, its other settings stay. */
function withRecordDir(configured: Config["logging"]["record"], dir: string): Config["logging"]["record"] {
  return typeof configured === "object" ? { ...configured, dir } : dir;
}
