/** `--settings YAML|JSON`: an entry's settings as in llmux.yaml, given on the command line. */
import { parse as parseYaml } from "yaml";
import { type CommandInput, stringOption, UsageError } from "./command.js";
import { optString } from "./values.js";

/** `--settings` as YAML or JSON (an object). */
export function settingsOf(input: CommandInput, command: string): Record<string, unknown> {
  const text = optString(input, "settings");
  if (text === undefined) return {};
  let v: unknown;
  try {
    v = parseYaml(text);
  } catch (err) {
    throw new UsageError(`--settings: ${(err as Error).message.split("\n")[0]}`, command);
  }
  if (!v || typeof v !== "object" || Array.isArray(v))
    throw new UsageError("--settings: a mapping (YAML or JSON)", command);
  return v as Record<string, unknown>;
}

export const SETTINGS = stringOption(
  "YAML|JSON",
  "Settings as under models:/providers: in llmux.yaml (over the given options).",
);
