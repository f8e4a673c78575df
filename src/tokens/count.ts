import type { Request } from "../ir/types.js";
import { estimateTokens } from "./estimate.js";

/** Roughly what an image costs (Anthropic: width × height / 750; a typical screenshot). */
const IMAGE_TOKENS = 1600;
const PER_MESSAGE = 4;

/**
 * A tokenizer estimate of a request's input tokens, for upstreams that cannot count them (the o200k
 * tokenizer: close for OpenAI models, within ~15% for Claude).
 */
export async function estimateInputTokens(req: Request): Promise<number> {
  const texts: string[] = [];
  let extra = 0;
  for (const p of req.instructions ?? []) texts.push(p.text);
  for (const m of req.messages) {
    extra += PER_MESSAGE;
    for (const p of m.content) {
      switch (p.type) {
        case "text":
        case "refusal":
        case "reasoning":
          texts.push(p.text);
          break;
        case "tool_call":
          texts.push(p.name, p.arguments);
          break;
        case "tool_result":
          for (const c of p.content) {
            if (c.type === "text") texts.push(c.text);
            else extra += IMAGE_TOKENS;
          }
          break;
        case "image":
        case "file":
          extra += IMAGE_TOKENS;
          break;
        case "raw":
          texts.push(JSON.stringify(p.value));
          break;
        default:
          break;
      }
    }
  }
  for (const t of req.tools ?? []) texts.push(JSON.stringify(t));
  return (await estimateTokens(texts.join("\n"))) + extra;
}
