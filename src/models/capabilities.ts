import type { Effort } from "../ir/types.js";
import { claudeFacts } from "./claude.js";

/**
 * What an upstream model accepts. Data, not `if`s: "gpt-5-pro only accepts effort high" is a row. Rows are
 * tried in order and the first match wins, so specific patterns come before general ones. Absent fields
 * mean "no known restriction".
 */
export interface Capabilities {
  /** Reasoning efforts the model accepts. */
  efforts?: readonly Effort[];
  verbosity?: readonly string[];
  truncation?: readonly string[];
  /** Claude thinking forms. */
  thinking?: readonly ("enabled" | "adaptive")[];
  /** False when the model rejects non-default temperature / top_p. */
  sampling?: boolean;
  maxOutputTokens?: number;
}

const GPT5_EFFORTS = ["minimal", "low", "medium", "high"] as const;
const CODEX_EFFORTS = ["low", "medium", "high"] as const;

export const CAPABILITY_ROWS: ReadonlyArray<readonly [RegExp, Capabilities]> = [
  [/gpt-5(\.\d+)?-pro/, { efforts: ["high"], sampling: false }],
  [
    /gpt-5\.1-codex-max/,
    { efforts: ["low", "medium", "high", "xhigh"], verbosity: ["medium"], truncation: ["disabled"], sampling: false },
  ],
  [/gpt-5\.1-codex/, { efforts: CODEX_EFFORTS, verbosity: ["medium"], truncation: ["disabled"], sampling: false }],
  [/gpt-5-codex/, { efforts: CODEX_EFFORTS, verbosity: ["medium"], sampling: false }],
  [/gpt-5\.\d+-codex/, { efforts: ["low", "medium", "high", "xhigh"], verbosity: ["medium"], sampling: false }],
  [/gpt-5\.1/, { efforts: ["none", "low", "medium", "high"], sampling: false }],
  [/gpt-5\.\d+/, { efforts: ["none", "low", "medium", "high", "xhigh"], sampling: false }],
  [/gpt-5/, { efforts: GPT5_EFFORTS, sampling: false }],
  [/(^|\/)o[1-9](-mini|-pro)?($|-)/, { efforts: ["low", "medium", "high"], sampling: false }],
];

/** Capabilities of an upstream model id (Claude rows come from the Claude model table). */
export function capabilitiesOf(model: string): Capabilities {
  const id = model.toLowerCase();
  for (const [pattern, caps] of CAPABILITY_ROWS) if (pattern.test(id)) return caps;
  if (id.includes("claude")) {
    const f = claudeFacts(id);
    return {
      thinking: f.thinking,
      maxOutputTokens: f.maxOutputTokens,
      ...(f.fixedSampling ? { sampling: false } : {}),
    };
  }
  return {};
}
