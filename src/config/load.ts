import { readFileSync } from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { ConfigError } from "./config-error.js";
import { deploymentProblem } from "./deployment-name.js";
import { issueLines, pathText } from "./issues.js";
import { type Config, ConfigSchema } from "./schema.js";
import { ruleProblems } from "./schema-rules.js";
import { declaredSecrets } from "./secret-fields.js";
import { walkSecretsWith } from "./secrets-of.js";

export { ConfigError } from "./config-error.js";

// The secrets of a configuration validated here are found by walking it beside the schema (secrets-of.ts).
walkSecretsWith((config) => declaredSecrets(ConfigSchema, config));

type Env = Record<string, string | undefined>;

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const LITERAL_VAR = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;

/** What interpolation found: problems (by path, so validation does not report them twice) and where it replaced. */
export interface Interpolation {
  problems: { path: PropertyKey[]; text: string }[];
  /** Paths (as text) of the values that held a `${…}` reference. */
  replaced: Set<string>;
  /** Values that look like a variable written without braces (`$NAME`), used as written. */
  literal: { path: PropertyKey[]; name: string }[];
}

function isProviderType(path: readonly PropertyKey[]): boolean {
  return path.length === 3 && path[0] === "providers" && path[2] === "type";
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in string values (not in keys, and never in the raw YAML text, so
 * a value cannot inject structure). An unset variable without a default is a problem naming the path.
 */
export function interpolate(
  value: unknown,
  env: Env,
  found: Interpolation = { problems: [], replaced: new Set(), literal: [] },
  path: PropertyKey[] = [],
): unknown {
  if (typeof value === "string") {
    const literal = LITERAL_VAR.exec(value);
    if (literal) found.literal.push({ path, name: literal[1]! });
    if (!value.includes("${")) return value;
    if (isProviderType(path)) {
      found.problems.push({
        path,
        text: `${pathText(path)}: write the provider type itself; it cannot come from a variable`,
      });
      return value;
    }
    let matched = false;
    const out = value.replace(VAR, (_m, name: string, fallback: string | undefined) => {
      matched = true;
      const v = env[name];
      if (v !== undefined && v !== "") return v;
      if (fallback !== undefined) return fallback;
      found.problems.push({ path, text: `${pathText(path)}: environment variable ${name} is not set` });
      return "";
    });
    if (matched) found.replaced.add(pathText(path));
    return out;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, found, [...path, i]));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolate(v, env, found, [...path, k]);
    return out;
  }
  return value;
}

/** A model's declared output must leave room in its declared window. */
function limitsProblem(
  path: string,
  l: { context_window?: number | undefined; max_output_tokens?: number | undefined },
  problems: string[],
): void {
  if (l.context_window !== undefined && l.max_output_tokens !== undefined && l.max_output_tokens >= l.context_window)
    problems.push(`${path}.max_output_tokens: must be less than its context_window (${l.context_window})`);
}

/** The checks across the configuration's parts (a model naming no provider, a fallback naming no alias…), added to `problems`. */
export function crossCheck(config: Config, problems: string[]): void {
  if (config.auth.passthrough && config.auth.keys.length > 0) {
    problems.push(
      "auth: keys and passthrough exclude each other (with passthrough, the key a client presents is its provider key)",
    );
  }
  for (const p of config.auth.passthrough_providers)
    if (!config.providers[p]) problems.push(`auth.passthrough_providers: '${p}' is not one of providers`);
  const knownProvider = (path: string, name: string) => {
    if (typeof name !== "string" || config.providers[name]) return;
    const known = Object.keys(config.providers);
    const close = known.find((k) => k.toLowerCase() === name.toLowerCase());
    problems.push(
      `${path}: no provider named '${name}'${close ? ` (did you mean '${close}'?)` : ""}${known.length ? ` (known: ${known.join(", ")})` : ""}`,
    );
  };
  for (const [alias, m] of Object.entries(config.models)) {
    if (m.provider !== undefined && m.deployments !== undefined)
      problems.push(`models.${alias}: give either provider (+ model) or deployments, not both`);
    else if (m.provider === undefined && m.deployments === undefined)
      problems.push(`models.${alias}.provider: required (or a list of deployments)`);
    if (m.provider !== undefined) knownProvider(`models.${alias}.provider`, m.provider);
    m.deployments?.forEach((d, i) => {
      knownProvider(`models.${alias}.deployments.${i}.provider`, d.provider);
    });
    limitsProblem(`models.${alias}`, m, problems);
    m.deployments?.forEach((d, i) => {
      limitsProblem(`models.${alias}.deployments.${i}`, d, problems);
    });
    for (const key of ["fallbacks", "context_window_fallbacks"] as const) {
      m[key]?.forEach((other, i) => {
        if (other === alias) problems.push(`models.${alias}.${key}.${i}: an alias cannot fall back to itself`);
        else if (!config.models[other]) problems.push(`models.${alias}.${key}.${i}: no model alias named '${other}'`);
      });
    }
  }
  for (const [alias, m] of Object.entries(config.models)) {
    const fallback = alias.includes("*") ? undefined : alias;
    const azure = (provider: string | undefined) =>
      provider !== undefined && config.providers[provider]?.type === "azure";
    const name = m.model ?? fallback;
    const problem = azure(m.provider) && name !== undefined && deploymentProblem(name);
    if (problem) problems.push(`models.${alias}.model: ${problem}`);
    m.deployments?.forEach((d, i) => {
      const dn = d.model ?? fallback;
      const p = azure(d.provider) && dn !== undefined && deploymentProblem(dn);
      if (p) problems.push(`models.${alias}.deployments.${i}.model: ${p}`);
    });
  }
  problems.push(...ruleProblems(config.routing?.rules ?? [], config.models ?? {}));
  const downgradeTo = (path: string, to: string | undefined) => {
    if (to === undefined) return;
    if (to.includes("*")) problems.push(`${path}: '${to}' is a pattern; name an alias`);
    else if (!Object.hasOwn(config.models ?? {}, to)) problems.push(`${path}: no model alias named '${to}'`);
  };
  for (const [user, q] of Object.entries(config.billing?.users ?? {}))
    downgradeTo(`billing.users.${user}.budget.downgrade.to`, q.budget?.downgrade?.to);
  for (const [tag, q] of Object.entries(config.tags ?? {}))
    downgradeTo(`tags.${tag}.budget.downgrade.to`, q.budget?.downgrade?.to);
  for (const [name, p] of Object.entries(config.providers)) {
    if (p.type === "openai-compatible" && !p.preset && !p.base_url) {
      problems.push(`providers.${name}.base_url: required for an openai-compatible provider without a preset`);
    }
  }
}

type Loose = Record<string, unknown>;
const objectOf = (v: unknown): Loose => (v && typeof v === "object" && !Array.isArray(v) ? (v as Loose) : {});
const textOf = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const textsOf = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : undefined;
const mapOf = <T>(v: unknown, f: (o: Loose) => T): Record<string, T> =>
  Object.fromEntries(Object.entries(objectOf(v)).map(([k, o]) => [k, f(objectOf(o))]));

/**
 * What the cross-checks read of a configuration the schema refused: its providers, models and keys, each
 * value that has the wrong shape left out, so that a bad provider reference is reported in the same pass as
 * the schema's problems instead of only once they are fixed.
 */
function looseConfig(raw: unknown): Config {
  const root = objectOf(raw);
  const auth = objectOf(root.auth);
  const loose = {
    auth: {
      passthrough: auth.passthrough === true,
      keys: textsOf(auth.keys) ?? [],
      passthrough_providers: textsOf(auth.passthrough_providers) ?? [],
    },
    providers: mapOf(root.providers, (p) => ({ type: textOf(p.type), preset: textOf(p.preset), base_url: p.base_url })),
    models: mapOf(root.models, (m) => ({
      provider: textOf(m.provider),
      model: textOf(m.model),
      deployments: Array.isArray(m.deployments)
        ? m.deployments.map((d) => ({ provider: textOf(objectOf(d).provider), model: textOf(objectOf(d).model) }))
        : undefined,
      fallbacks: textsOf(m.fallbacks),
      context_window_fallbacks: textsOf(m.context_window_fallbacks),
    })),
  };
  return loose as unknown as Config;
}

/** A problem's path as the cross-checks write it (`models.a.deployments.0.provider`), from its line. */
const linePath = (line: string): string => line.slice(0, line.indexOf(":")).replace(/\[(\d+)\]/g, ".$1");

/**
 * Variables always produce strings. Where validation expected a number or a boolean and found a string
 * that a variable produced and that spells one ("4000", "true"), the value is read as such — only there,
 * so a secret that happens to look numeric stays a string, and a literal "4000" is an error as it is in the
 * JSON Schema.
 */
function coerceScalars(value: unknown, issues: readonly z.core.$ZodIssue[], replaced: Set<string>): boolean {
  let changed = false;
  for (const issue of issues) {
    if (issue.code !== "invalid_type") continue;
    const expected = issue.expected as string;
    if (expected !== "number" && expected !== "int" && expected !== "boolean") continue;
    if (!replaced.has(pathText(issue.path))) continue;
    let parent = value as Record<PropertyKey, unknown>;
    for (const key of issue.path.slice(0, -1)) parent = (parent?.[key] ?? {}) as Record<PropertyKey, unknown>;
    const last = issue.path[issue.path.length - 1];
    if (last === undefined || typeof parent?.[last] !== "string") continue;
    const s = (parent[last] as string).trim();
    if (expected !== "boolean" && /^-?\d+(\.\d+)?$/.test(s)) parent[last] = Number(s);
    else if (expected === "boolean" && (s === "true" || s === "false")) parent[last] = s === "true";
    else continue;
    changed = true;
  }
  return changed;
}

/** Whether `path` is `prefix` or lies under it. */
function under(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => p === path[i]);
}

/**
 * Validates a configuration object (already parsed from YAML or built from the environment). Things that
 * work but are probably mistakes are added to `warnings`, when given.
 */
export function parseConfig(raw: unknown, env: Env = process.env, warnings?: string[]): Config {
  const found: Interpolation = { problems: [], replaced: new Set(), literal: [] };
  const interpolated = interpolate(raw ?? {}, env, found);
  const problems = found.problems.map((p) => p.text);
  let result = ConfigSchema.safeParse(interpolated);
  if (!result.success && coerceScalars(interpolated, result.error.issues, found.replaced))
    result = ConfigSchema.safeParse(interpolated);
  if (!result.success) {
    for (const issue of result.error.issues) {
      // A value whose variable is unset is already reported, once.
      if (found.problems.some((p) => under(issue.path, p.path))) continue;
      problems.push(...issueLines(issue, interpolated, ConfigSchema));
    }
  }
  if (problems.length > 0 || !result.success) {
    // The cross-checks too, on what can be read, in the same pass; a path already reported is not twice.
    const reported = problems.map(linePath);
    const more: string[] = [];
    crossCheck(looseConfig(interpolated), more);
    for (const line of more) {
      const path = linePath(line);
      if (!reported.some((r) => path === r || path.startsWith(`${r}.`) || r.startsWith(`${path}.`)))
        problems.push(line);
    }
    throw new ConfigError(problems);
  }
  crossCheck(result.data, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  for (const l of found.literal) {
    warnings?.push(
      `${pathText(l.path)}: '$${l.name}' is used as written; to read the environment variable write "\${${l.name}}"`,
    );
  }
  return result.data;
}

/** A YAML error on a line with an unquoted `${…}`: the usual cause, said plainly. */
function unquotedVariableHint(text: string, line: number | undefined): string {
  if (line === undefined) return "";
  const source = text.split("\n")[line - 1] ?? "";
  const m = /(?:^|[\s:[{,])(\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\})/.exec(source);
  if (!m) return "";
  return ` (quote values that use a variable: "${m[1]}"; inside { } and [ ] YAML reads { and } as structure)`;
}

export function loadConfigFile(path: string, env: Env = process.env, warnings?: string[]): Config {
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
      throw new ConfigError(
        [`${path}${pos ? `:${pos.line}:${pos.col}` : ""}: ${first}${unquotedVariableHint(text, pos?.line)}`],
        `invalid configuration in ${path}:`,
      );
    }
    throw err;
  }
  try {
    return parseConfig(raw, env, warnings);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.problems, `invalid configuration in ${path}:`);
    throw err;
  }
}
