import type { Message, Part, Request, ToolResultPart } from "../ir/types.js";
import type { Warnings } from "../ir/warnings.js";

export const INTERRUPTED_RESULT = "[llmux] This tool call was interrupted before it produced a result.";

/**
 * Every dialect requires each tool call to be answered before the conversation goes on, and every result
 * to answer a call. Clients interrupted mid-tool (Esc in Claude Code or Codex) leave orphans, which
 * upstreams refuse with a 400. The policy:
 * - a call without a result gets a synthetic error result, "[llmux] This tool call was interrupted…",
 *   placed right after the results its turn did get;
 * - a result without a call is kept as user text ("[llmux] Result of an unknown tool call …"), so its
 *   content is not lost.
 */
export function repairToolPairing(req: Request, warnings: Warnings): void {
  const out: Message[] = [];
  let open = new Map<string, string>(); // call id → tool name, of the last assistant turn
  let interrupted = 0;
  let orphans = 0;

  const closeOpen = () => {
    if (open.size === 0) return;
    const results: ToolResultPart[] = [...open.keys()].map((callId) => ({
      type: "tool_result",
      callId,
      content: [{ type: "text", text: INTERRUPTED_RESULT }],
      isError: true,
    }));
    interrupted += results.length;
    const last = out[out.length - 1];
    if (last?.role === "tool") last.content.push(...results);
    else out.push({ role: "tool", content: results });
    open = new Map();
  };

  for (const m of req.messages) {
    if (m.role === "tool") {
      const kept: Part[] = [];
      const stray: string[] = [];
      for (const p of m.content) {
        if (p.type === "tool_result" && open.has(p.callId)) {
          open.delete(p.callId);
          kept.push(p);
        } else if (p.type === "tool_result") {
          orphans++;
          const text = p.content.map((c) => (c.type === "text" ? c.text : `[${c.type}]`)).join("");
          stray.push(`[llmux] Result of an unknown tool call (${p.callId}): ${text}`);
        }
      }
      if (kept.length > 0) {
        const last = out[out.length - 1];
        if (last?.role === "tool") last.content.push(...kept);
        else out.push({ ...m, content: kept });
      }
      if (stray.length > 0) {
        closeOpen();
        out.push({ role: "user", content: stray.map((text) => ({ type: "text", text })) });
      }
      continue;
    }
    closeOpen();
    out.push(m);
    if (m.role === "assistant") {
      for (const p of m.content) if (p.type === "tool_call") open.set(p.id, p.name);
    }
  }
  closeOpen();
  req.messages = out;
  if (interrupted > 0)
    warnings.add("tool_call_interrupted", `${interrupted} tool call(s) without a result were answered as interrupted`);
  if (orphans > 0)
    warnings.add("tool_result_orphaned", `${orphans} tool result(s) without a matching call were kept as user text`);
}
