import type { Config } from "../config/schema.js";
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

export function createProviders(config: Config): Map<string, Provider> {
  const out = new Map<string, Provider>();
  for (const [name, p] of Object.entries(config.providers)) {
    switch (p.type) {
      case "azure":
        out.set(name, azureProvider(name, p));
        break;
      case "openai":
        out.set(name, openaiProvider(name, p));
        break;
      case "anthropic":
        out.set(name, anthropicProvider(name, p));
        break;
      case "openai-compatible":
        out.set(name, compatibleProvider(name, p));
        break;
      case "gemini":
        out.set(name, geminiProvider(name, p));
        break;
      case "vertex":
        out.set(name, vertexProvider(name, p));
        break;
      case "bedrock":
        out.set(name, bedrockProvider(name, p));
        break;
      case "cursor":
        out.set(name, cursorProvider(name, p));
        break;
      case "mock":
        out.set(name, mockProvider(name, p));
        break;
    }
  }
  return out;
}
