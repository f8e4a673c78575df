/**
 * The environment-variable setups llmux configures itself from without a file, and the check that none is
 * half-set: a setup with some of its variables but not every one it needs stops llmux with the missing ones
 * named, instead of falling back to the mock or silently leaving the setup out.
 */
import { suggestion } from "../text/did-you-mean.js";
import { ConfigError } from "./config-error.js";
import { SUMMARIES } from "./shared-values.js";

type Env = Record<string, string | undefined>;

export interface EnvSetupSpec {
  /** How the docs name it: (a), (b)… */
  id: string;
  title: string;
  required: readonly string[];
  optional: readonly string[];
}

export const ENV_SETUPS: readonly EnvSetupSpec[] = [
  {
    id: "a",
    title: "Azure OpenAI Responses deployment (for Cursor)",
    required: ["AZURE_BASE_URL", "AZURE_API_KEY"],
    optional: [
      "AZURE_DEPLOYMENT",
      "AZURE_API_VERSION",
      "AZURE_SUMMARY_LEVEL",
      "AZURE_VERBOSITY_LEVEL",
      "AZURE_TRUNCATION",
      "SERVICE_API_KEY",
    ],
  },
  {
    id: "b",
    title: "Claude models on Azure OpenAI (for Claude Code)",
    required: ["AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY"],
    optional: ["BIG_MODEL", "SMALL_MODEL", "AZURE_API_VERSION", "ANTHROPIC_AUTH_TOKEN"],
  },
  { id: "c", title: "Anthropic", required: ["ANTHROPIC_API_KEY"], optional: ["LLMUX_ANTHROPIC_BASE_URL"] },
  { id: "d", title: "Kimi (Moonshot)", required: ["KIMI_API_KEY"], optional: ["KIMI_BASE_URL"] },
  { id: "e", title: "OpenAI", required: ["OPENAI_API_KEY"], optional: ["LLMUX_OPENAI_BASE_URL"] },
];

/** Variables that look like one setup's but belong to another: the likely mix-up, said. */
const MIXUPS: Record<string, string> = {
  AZURE_API_KEY: "AZURE_OPENAI_API_KEY",
  AZURE_OPENAI_API_KEY: "AZURE_API_KEY",
  AZURE_BASE_URL: "AZURE_OPENAI_ENDPOINT",
  AZURE_OPENAI_ENDPOINT: "AZURE_BASE_URL",
};

const isSet = (env: Env, name: string) => (env[name] ?? "").trim() !== "";

const list = (names: readonly string[]) =>
  names.length <= 2 ? names.join(" and ") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;

/** The setups whose required variables are all set. */
export function completeSetups(env: Env): EnvSetupSpec[] {
  return ENV_SETUPS.filter((s) => s.required.every((n) => isSet(env, n)));
}

/** Whether a variable belongs to more than one setup (AZURE_API_VERSION). */
const shared = (name: string) => ENV_SETUPS.filter((s) => [...s.required, ...s.optional].includes(name)).length > 1;

/** Throws a ConfigError naming, for each half-set setup, the variables it still needs. */
export function checkEnvSetups(env: Env): void {
  const complete = new Set(completeSetups(env).map((s) => s.id));
  const given = (s: EnvSetupSpec) => [...s.required, ...s.optional].filter((n) => isSet(env, n));
  const touched = ENV_SETUPS.filter((s) => !complete.has(s.id) && given(s).some((n) => !shared(n)));
  const problems: string[] = [];
  // A shared variable set on its own (AZURE_API_VERSION) names every setup that reads it.
  if (touched.length === 0 && complete.size === 0) {
    const readers = ENV_SETUPS.filter((s) => given(s).length > 0);
    if (readers.length > 0) {
      const names = given(readers[0]!);
      problems.push(
        `${list(names)} ${names.length === 1 ? "is" : "are"} set, but no setup that reads ${names.length === 1 ? "it" : "them"} is: ${readers
          .map((s) => `setup (${s.id}), ${s.title}, needs ${list(s.required)}`)
          .join("; ")}`,
      );
    }
  }
  for (const s of touched) {
    const own = given(s);
    const missing = s.required.filter((n) => !isSet(env, n));
    const mixup = missing
      .map((n) => MIXUPS[n])
      .filter((m): m is string => m !== undefined && isSet(env, m))
      .map((m) => ` (${m} is set: it belongs to the other Azure setup)`)
      .join("");
    problems.push(
      `${list(own)} ${own.length === 1 ? "is" : "are"} set, but ${list(missing)} ${missing.length === 1 ? "is" : "are"} not: setup (${s.id}), ${s.title}, needs ${list(s.required)}${mixup}`,
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(
      problems,
      "incomplete provider environment (no configuration file; see docs/config.md, 'Configuration from environment variables only'):",
    );
  }
}

/** Variables that take one of a few words, checked here so the error names the variable, not the models. */
const CHOICES: Record<string, readonly string[]> = {
  AZURE_SUMMARY_LEVEL: SUMMARIES,
  AZURE_VERBOSITY_LEVEL: ["low", "medium", "high"],
  AZURE_TRUNCATION: ["auto", "disabled"],
};

/** Throws a ConfigError for each variable whose value is not one of its choices, echoing it. */
export function checkEnvChoices(env: Env): void {
  const problems: string[] = [];
  for (const [name, choices] of Object.entries(CHOICES)) {
    const v = (env[name] ?? "").trim();
    if (v !== "" && !choices.includes(v))
      problems.push(`${name}: "${v}" is not one of ${choices.join(", ")}${suggestion(v, choices)}`);
  }
  if (problems.length > 0) throw new ConfigError(problems, "invalid provider environment:");
}
