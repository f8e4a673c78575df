import { readFileSync } from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { type Config, ConfigSchema } from "./schema.js";

/** A configuration that cannot be used; each problem names the path it is about. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || "(root)";
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in string values (not in keys, and never in the raw YAML text, so
 * a value cannot inject structure). An unset variable without a default is a problem naming the path.
 */
export function interpolate(value: unknown, env: Env, problems: string[], path: PropertyKey[] = []): unknown {
  if (typeof value === "string") {
    return value.replace(VAR, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== "") return v;
      if (fallback !== undefined) return fallback;
      problems.push(`${pathText(path)}: environment variable ${name} is not set`);
      return "";
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, problems, [...path, i]));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, env, problems, [...path, k]);
    return out;
  }
  return value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) v = v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

function issueText(issue: z.core.$ZodIssue, input: unknown): string {
  const where = pathText(issue.path);
  if (issue.code === "unrecognized_keys")
    return `${where}: unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
  if (issue.code === "invalid_union" && "discriminator" in issue) {
    const got = valueAt(input, issue.path);
    return `${where}: 'type' must be one of azure, openai, anthropic, openai-compatible, mock${got === undefined ? " (it is missing)" : `, got ${JSON.stringify(got)}`}`;
  }
  return `${where}: ${issue.message}`;
}

function crossCheck(config: Config, problems: string[]): void {
  if (config.auth.passthrough && config.auth.keys.length > 0) {
    problems.push(
      "auth: keys and passthrough exclude each other (with passthrough, the key a client presents is its provider key)",
    );
  }
  for (const [alias, m] of Object.entries(config.models)) {
    if (!config.providers[m.provider]) {
      const known = Object.keys(config.providers);
      problems.push(
        `models.${alias}.provider: no provider named '${m.provider}'${known.length ? ` (known: ${known.join(", ")})` : ""}`,
      );
    }
  }
  for (const [name, p] of Object.entries(config.providers)) {
    if (p.type === "openai-compatible" && !p.preset && !p.base_url) {
      problems.push(`providers.${name}.base_url: required for an openai-compatible provider without a preset`);
    }
  }
}

/**
 * Variables always produce strings. Where validation expected a number or a boolean and found a string
 * that spells one ("4000", "true"), the value is read as such — only there, so a secret that happens to
 * look numeric stays a string.
 */
function coerceScalars(value: unknown, issues: readonly z.core.$ZodIssue[]): boolean {
  let changed = false;
  for (const issue of issues) {
    if (issue.code !== "invalid_type" || (issue.expected !== "number" && issue.expected !== "boolean")) continue;
    let parent = value as Record<PropertyKey, unknown>;
    for (const key of issue.path.slice(0, -1)) parent = (parent?.[key] ?? {}) as Record<PropertyKey, unknown>;
    const last = issue.path[issue.path.length - 1];
    if (last === undefined || typeof parent?.[last] !== "string") continue;
    const s = (parent[last] as string).trim();
    if (issue.expected === "number" && /^-?\d+(\.\d+)?$/.test(s)) parent[last] = Number(s);
    else if (issue.expected === "boolean" && (s === "true" || s === "false")) parent[last] = s === "true";
    else continue;
    changed = true;
  }
  return changed;
}

/** Validates a configuration object (already parsed from YAML or built from the environment). */
export function parseConfig(raw: unknown, env: Env = process.env): Config {
  const problems: string[] = [];
  const interpolated = interpolate(raw ?? {}, env, problems);
  let result = ConfigSchema.safeParse(interpolated);
  if (!result.success && coerceScalars(interpolated, result.error.issues))
    result = ConfigSchema.safeParse(interpolated);
  if (!result.success) problems.push(...result.error.issues.map((i) => issueText(i, interpolated)));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  crossCheck(result.data, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

export function loadConfigFile(path: string, env: Env = process.env): Config {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError([
      `${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    ]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      const first = (err.message.split("\n")[0] ?? "").replace(/\s*at line \d+, column \d+:?$/, "");
      throw new ConfigError([`${path}${pos ? `:${pos.line}:${pos.col}` : ""}: ${first}`]);
    }
    throw err;
  }
  return parseConfig(raw, env);
}
