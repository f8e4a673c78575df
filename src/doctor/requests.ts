/**
 * The doctor's requests, in llmux's canonical form: tiny prompts with small output limits, so that probing
 * a deployment costs a few hundred tokens. The provider's codec writes each in the upstream's dialect.
 */
import type { AssistantPart, Effort, Message, Request, Tool } from "../ir/types.js";

/** Output limits (tokens). The Responses API refuses less than 16. */
export const LIMITS = { basic: 16, small: 64, tools: 1024, thinking: 1280 } as const;

/** The thinking budget of the Anthropic "enabled" probe (Anthropic's minimum). */
export const THINKING_BUDGET = 1024;

/** Rough input sizes (tokens) for the cost estimate: the prompt, the tool's definition, the image. */
export const INPUT_TOKENS = { basic: 20, tools: 120, toolsSecond: 180, image: 100 } as const;

/** A 16×16 red PNG. */
export const RED_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR42mO4IydHEmIY1TCqYfhqAACaMxgQdrf9VwAAAABJRU5ErkJggg==";

export const TOOL_NAME = "lookup_word";
export const TOOL_ANSWER = "PLOVER";

const user = (text: string): Message => ({ role: "user", content: [{ type: "text", text }] });

function base(messages: Message[], maxOutputTokens: number, stream = false): Request {
  // Written as a Chat Completions client would send it: what llmux adds when translating (a store: false
  // with encrypted reasoning for Responses, for instance) is added here too.
  return { source: "openai-chat", model: "", messages, stream, maxOutputTokens };
}

export function basicRequest(stream = false): Request {
  return base([user("Reply with the single word OK.")], stream ? LIMITS.small : LIMITS.basic, stream);
}

export function effortRequest(effort: Effort): Request {
  return { ...base([user("Reply with the single word OK.")], LIMITS.small), reasoning: { effort } };
}

export function verbosityRequest(verbosity: string, effort: Effort | undefined): Request {
  const r = { ...base([user("Reply with the single word OK.")], LIMITS.small), verbosity };
  return effort ? { ...r, reasoning: { effort } } : r;
}

export function summaryRequest(effort: Effort | undefined): Request {
  return {
    ...base([user("Reply with the single word OK.")], LIMITS.small),
    reasoning: { effort: effort ?? "low", summary: "auto" },
  };
}

export function thinkingRequest(form: "enabled" | "adaptive"): Request {
  const reasoning = form === "enabled" ? { mode: form, budgetTokens: THINKING_BUDGET } : { mode: form };
  return { ...base([user("Reply with the single word OK.")], LIMITS.thinking), reasoning };
}

const TOOL: Tool = {
  kind: "function",
  name: TOOL_NAME,
  description: "Looks up the secret word stored under a key.",
  parameters: {
    type: "object",
    properties: { key: { type: "string", description: "The key to look up." } },
    required: ["key"],
  },
};

const TOOL_PROMPT = `Call the ${TOOL_NAME} tool with the key "doctor", then reply with the word it returns and nothing else.`;

/** The first turn of the tool round trip: the model should call the tool. */
export function toolRequest(effort: Effort | undefined): Request {
  const r: Request = { ...base([user(TOOL_PROMPT)], LIMITS.tools), tools: [TOOL], toolChoice: { type: "auto" } };
  return effort ? { ...r, reasoning: { effort } } : r;
}

/** The second turn: the model's call (with its reasoning, as clients send it back) and the tool's result. */
export function toolResultRequest(first: Request, answer: AssistantPart[], callId: string): Request {
  return {
    ...first,
    messages: [
      ...first.messages,
      { role: "assistant", content: answer },
      { role: "tool", content: [{ type: "tool_result", callId, content: [{ type: "text", text: TOOL_ANSWER }] }] },
    ],
  };
}

export function imageRequest(effort: Effort | undefined): Request {
  const r: Request = base(
    [
      {
        role: "user",
        content: [
          { type: "text", text: "What colour is this image? Answer with one word." },
          { type: "image", source: { kind: "base64", mediaType: "image/png", data: RED_PNG } },
        ],
      },
    ],
    LIMITS.small,
  );
  return effort ? { ...r, reasoning: { effort } } : r;
}
