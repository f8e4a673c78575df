import { shortHash } from "../ir/ids.js";
import type { Part, Request } from "../ir/types.js";

const THINK = /<think>[\s\S]*?<\/think>\s*/g;

/**
 * Removes the `<think>…</think>` blocks a client echoes back from reasoning llmux showed it as text: the
 * upstream never wrote them, and sending them back would feed the model its own summaries as prose.
 */
export function stripThinkTags(req: Request): number {
  let stripped = 0;
  for (const m of req.messages) {
    if (m.role !== "assistant") continue;
    const kept: Part[] = [];
    for (const p of m.content) {
      if (p.type === "text" && p.text.includes("<think>")) {
        const text = p.text.replace(THINK, "");
        stripped++;
        if (text.trim().length > 0) kept.push({ ...p, text });
        continue;
      }
      kept.push(p);
    }
    m.content = kept;
  }
  return stripped;
}

/**
 * Tool calls a client sent back as function calls although the tool was declared as a custom (free-form)
 * tool — Cursor echoes ApplyPatch that way — become custom calls again, with custom results, so a
 * Responses upstream sees custom_tool_call / custom_tool_call_output as it produced them.
 */
export function restoreCustomCalls(req: Request): void {
  const custom = new Set<string>();
  for (const t of req.tools ?? []) if (t.kind === "custom") custom.add(t.name);
  if (custom.size === 0) return;
  const ids = new Set<string>();
  for (const m of req.messages) {
    for (const p of m.content) {
      if (p.type === "tool_call" && p.kind === "function" && custom.has(p.name)) {
        p.kind = "custom";
        ids.add(p.id);
      } else if (p.type === "tool_call" && p.kind === "custom") ids.add(p.id);
    }
  }
  for (const m of req.messages)
    for (const p of m.content) if (p.type === "tool_result" && ids.has(p.callId)) p.kind = "custom";
}

/** A prompt cache key within the 64 characters providers accept (longer keys are hashed, stably). */
export function cacheKey(value: string): string {
  return value.length <= 64 ? value : `llmux-${shortHash(value, 40)}`;
}
