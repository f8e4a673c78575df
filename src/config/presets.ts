/**
 * OpenAI-compatible vendors as data: a base URL and the quirks that differ from OpenAI. Adding a vendor is
 * adding a row: the configuration's schema takes its names from here (`preset:`), the provider its quirks
 * (src/providers/openai-compatible.ts).
 */
export interface CompatPreset {
  baseUrl: string;
  /** Field in which earlier reasoning must be echoed back in assistant turns. */
  reasoningField?: "reasoning_content" | "reasoning";
  maxTokensField?: "max_tokens" | "max_completion_tokens";
  customTools?: boolean;
  topK?: boolean;
  /** Its Chat stream deviates from OpenAI's (Mistral: content parts, no tool-call index, no first role). */
  normalizeStream?: boolean;
}

const TABLE = {
  moonshot: {
    baseUrl: "https://api.moonshot.ai/v1",
    reasoningField: "reasoning_content",
    maxTokensField: "max_tokens",
    customTools: false,
  },
  kimi: {
    baseUrl: "https://api.moonshot.ai/v1",
    reasoningField: "reasoning_content",
    maxTokensField: "max_tokens",
    customTools: false,
  },
  deepseek: {
    baseUrl: "https://api.deepseek.com/v1",
    reasoningField: "reasoning_content",
    maxTokensField: "max_tokens",
    customTools: false,
  },
  openrouter: { baseUrl: "https://openrouter.ai/api/v1", maxTokensField: "max_tokens", customTools: false },
  groq: { baseUrl: "https://api.groq.com/openai/v1", maxTokensField: "max_completion_tokens", customTools: false },
  vllm: {
    baseUrl: "http://127.0.0.1:8000/v1",
    reasoningField: "reasoning_content",
    maxTokensField: "max_tokens",
    customTools: false,
    topK: true,
  },
  ollama: { baseUrl: "http://127.0.0.1:11434/v1", maxTokensField: "max_tokens", customTools: false },
  together: { baseUrl: "https://api.together.xyz/v1", maxTokensField: "max_tokens", customTools: false, topK: true },
  mistral: {
    baseUrl: "https://api.mistral.ai/v1",
    maxTokensField: "max_tokens",
    customTools: false,
    normalizeStream: true,
  },
  xai: { baseUrl: "https://api.x.ai/v1", maxTokensField: "max_tokens", customTools: false },
} as const satisfies Record<string, CompatPreset>;

export type PresetName = keyof typeof TABLE;
export const PRESET_TABLE: Readonly<Record<PresetName, CompatPreset>> = TABLE;

/** The presets' names, in the table's order (the schema's `preset:` values). */
export const PRESETS = Object.keys(TABLE) as [PresetName, ...PresetName[]];
