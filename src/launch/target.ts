/**
 * Where a coding tool should find llmux, and which key it presents: the address of `--url`, or of the llmux
 * the user's configuration describes (the same configuration `llmux start` would use), and a key chosen in
 * a fixed order (see `chooseKey`).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type ResolvedConfig, resolveConfig } from "../config/resolve.js";
import { readLogin } from "./login-store.js";

/** The key sent when llmux requires none (auth open): the tools refuse to start without some key. */
export const OPEN_KEY = "llmux-no-key-needed";

export interface TargetOptions {
  /** --url: an llmux that is already running somewhere (never started by the launcher). */
  url?: string | undefined;
  /** --key */
  key?: string | undefined;
  /** --config FILE */
  config?: string | undefined;
  /** --port N */
  port?: number | undefined;
  cwd?: string | undefined;
}

export interface Target {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:4000. */
  url: string;
  key: string;
  /** Where the key came from, in words (never the key). */
  keySource: string;
  /** The llmux of the user's configuration (false with --url). */
  local: boolean;
  /** The resolved configuration (local targets only). */
  resolved?: ResolvedConfig;
  /** The configuration file, absolute (local targets with a file). */
  configFile?: string;
  /** The port llmux listens on (local targets). */
  port?: number;
}

const WILDCARD = new Set(["0.0.0.0", "::", "[::]", ""]);

function hostForUrl(host: string): string {
  if (WILDCARD.has(host)) return "127.0.0.1";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** The configuration file `llmux start` would read (absolute), if any. */
function configFileOf(opts: TargetOptions, env: NodeJS.ProcessEnv): string | undefined {
  const cwd = opts.cwd ?? process.cwd();
  const named = opts.config ?? (env.LLMUX_CONFIG || undefined);
  if (named) return resolve(cwd, named);
  const local = resolve(cwd, "llmux.yaml");
  return existsSync(local) ? local : undefined;
}

/**
 * The key a tool presents: `--key`, else `$LLMUX_KEY`, else the first of the configuration's `auth.keys`,
 * else (llmux requires no key) a placeholder.
 */
export function chooseKey(
  opts: TargetOptions,
  env: NodeJS.ProcessEnv,
  resolved: ResolvedConfig | undefined,
): { key: string; source: string } {
  if (opts.key) return { key: opts.key, source: "--key" };
  if (env.LLMUX_KEY) return { key: env.LLMUX_KEY, source: "$LLMUX_KEY" };
  const first = resolved?.config.auth.keys[0];
  if (first) return { key: first, source: "the first of auth.keys" };
  if (resolved && !resolved.config.auth.passthrough) {
    return { key: OPEN_KEY, source: "a placeholder: auth.keys is empty (once keys are minted, pass your own)" };
  }
  return {
    key: OPEN_KEY,
    source: "a placeholder: no key known (pass --key or set LLMUX_KEY if llmux requires one)",
  };
}

/**
 * The llmux a tool should call and the key it presents: `--url`, else `$LLMUX_URL`, else the llmux of `llmux
 * login` (unless `--config` or `--port` asks for a local one), else the local configuration's. A remote one is
 * never started here. Throws ConfigError for a broken configuration.
 */
export function resolveTarget(opts: TargetOptions, env: NodeJS.ProcessEnv): Target {
  if (!opts.url && env.LLMUX_URL) return resolveTarget({ ...opts, url: env.LLMUX_URL }, env);
  if (!opts.url && opts.config === undefined && opts.port === undefined) {
    const login = readLogin(env);
    if (login) {
      const given = opts.key ?? (env.LLMUX_KEY || undefined);
      const remote = resolveTarget({ ...opts, url: login.url, key: given ?? login.key }, env);
      if (!given) remote.keySource = `llmux login (${login.who || "the stored key"})`;
      return remote;
    }
  }
  if (opts.url) {
    let u: URL;
    try {
      u = new URL(opts.url);
    } catch {
      throw new Error(`--url must be a URL such as http://127.0.0.1:4000, got '${opts.url}'`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new Error(`--url must start with http:// or https://, got '${opts.url}'`);
    }
    const url = opts.url.replace(/\/+$/, "");
    const { key, source } = chooseKey(opts, env, undefined);
    return { url, key, keySource: source, local: false };
  }
  const configFile = configFileOf(opts, env);
  const resolved = resolveConfig({ config: configFile, cwd: opts.cwd }, env);
  const { server } = resolved.config;
  const port = opts.port ?? (env.PORT && /^\d+$/.test(env.PORT) ? Number(env.PORT) : server.port);
  if (port === 0) {
    throw new Error("server.port is 0 (any free port): give llmux a fixed port with --port N or server.port");
  }
  const scheme = server.tls ? "https" : "http";
  const url = `${scheme}://${hostForUrl(server.host)}:${port}`;
  const { key, source } = chooseKey(opts, env, resolved);
  const target: Target = { url, key, keySource: source, local: true, resolved, port };
  if (configFile) target.configFile = configFile;
  return target;
}
