/**
 * Gemini CLI reads its sign-in method from ~/.gemini/settings.json, and a user who chose Google sign-in there
 * would bypass llmux. Its system settings layer cannot carry the override: Gemini CLI reads a system settings
 * file only when root owns it and every folder above it. So for a run, llmux gives Gemini CLI a home of its
 * own (GEMINI_CLI_HOME, in llmux's state directory, kept between runs for the tool's history and trust
 * decisions): a copy of the user's settings with the API-key method chosen, and links to the user's memory
 * file, extensions and commands. The user's ~/.gemini is never written by llmux.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { geminiCompressionThreshold } from "./limit-settings.js";
import type { ModelLimits } from "./tool-spec.js";

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function readJson(file: string): Record<string, unknown> {
  try {
    return obj(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    return {};
  }
}

/** The folder Gemini CLI keeps its files in, under a home (its own `.gemini`). */
export const GEMINI_DIR = ".gemini";

/** What of the user's ~/.gemini the private home links to (read by Gemini CLI, not settings). */
export const GEMINI_LINKED = ["GEMINI.md", "extensions", "commands"] as const;

/** The user's own Gemini settings (at their GEMINI_CLI_HOME or HOME), with API-key sign-in chosen, as JSON text. */
export function geminiUserSettings(
  userHome: string,
  mcpServers?: Record<string, unknown>,
  limits?: ModelLimits,
): string {
  const existing = readJson(join(userHome, GEMINI_DIR, "settings.json"));
  const security = obj(existing.security);
  const model = obj(existing.model);
  // The model's window, as the share of the window Gemini CLI assumes at which it compresses (limit-settings.ts).
  const threshold = geminiCompressionThreshold(model.compressionThreshold, limits);
  const settings = {
    ...existing,
    security: { ...security, auth: { ...obj(security.auth), selectedType: "gemini-api-key" } },
    ...(mcpServers ? { mcpServers: { ...obj(existing.mcpServers), ...mcpServers } } : {}),
    ...(threshold !== undefined ? { model: { ...model, compressionThreshold: threshold } } : {}),
  };
  return `${JSON.stringify(settings, null, 2)}\n`;
}
