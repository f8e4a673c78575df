import type { Config, ProviderConfig } from "../config/schema.js";
import { anthropicProvider } from "./anthropic.js";
import { azureProvider } from "./azure.js";
import { bedrockProvider } from "./bedrock.js";
import { cursorProvider } from "./cursor.js";
import { geminiProvider } from "./gemini.js";
import { mockProvider } from "./mock.js";
import { openaiProvider } from "./openai.js";
import { compatibleProvider } from "./openai-compatible.js";
import type { Provider } from "./types.js";
import { vertexProvider } from "./vertex.js";

export type { Provider } from "./types.js";

type ConfigOf<T extends ProviderConfig["type"]> = Extract<ProviderConfig, { type: T }>;

/** Each provider type's factory (one file each). */
const FACTORIES: { [T in ProviderConfig["type"]]: (name: string, cfg: ConfigOf<T>) => Provider } = {
  azure: azureProvider,
  openai: openaiProvider,
  anthropic: anthropicProvider,
  "openai-compatible": compatibleProvider,
  gemini: geminiProvider,
  vertex: vertexProvider,
  bedrock: bedrockProvider,
  cursor: cursorProvider,
  mock: mockProvider,
};

export function createProviders(config: Config): Map<string, Provider> {
  const out = new Map<string, Provider>();
  for (const [name, p] of Object.entries(config.providers)) {
    const make = FACTORIES[p.type] as (name: string, cfg: ProviderConfig) => Provider;
    out.set(name, make(name, p));
  }
  return out;
}
