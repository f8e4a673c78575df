import type { AssistantPart, JsonObject, Message, Part, Request, UpstreamDialect } from "../ir/types.js";
import { errorText, openHit, searchText } from "./web-tools-text.js";

/**
 * Earlier turns' web tool blocks, as the client sends them back (Anthropic `server_tool_use` and
 * `web_search_tool_result` / `web_fetch_tool_result`, Responses `web_search_call` items), put back as the
 * function calls and results the model made and was given, for an upstream that does not run the tool.
 */

function isObj(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** An Anthropic web_search_tool_result's content as the model was given it. */
function searchResultText(query: string, content: unknown): string {
  if (!Array.isArray(content)) return errorText("web_search", isObj(content) ? str(content.error_code) : "", "");
  const hits = content.filter(isObj).map((r) => ({
    url: str(r.url),
    title: str(r.title),
    snippet: openHit(r.encrypted_content) ?? "",
    pageAge: typeof r.page_age === "string" ? r.page_age : undefined,
  }));
  return searchText(query, hits);
}

function fetchResultText(content: unknown): string {
  if (!isObj(content)) return errorText("web_fetch", "", "");
  if (content.type !== "web_fetch_result") return errorText("web_fetch", str(content.error_code), "");
  const doc = isObj(content.content) ? content.content : {};
  const source = isObj(doc.source) ? doc.source : {};
  return `${str(doc.title) ? `${str(doc.title)}\n` : ""}URL: ${str(content.url)}\n\n${str(source.data)}`;
}

interface Converted {
  call?: AssistantPart;
  result?: { callId: string; text: string };
}

function convert(p: Part, upstream: UpstreamDialect, queries: Map<string, string>): Converted | undefined {
  if (p.type !== "raw" || p.dialect === upstream) return undefined;
  const v = p.value;
  if (p.dialect === "anthropic") {
    if (v.type === "server_tool_use" && (v.name === "web_search" || v.name === "web_fetch")) {
      const input = isObj(v.input) ? v.input : {};
      queries.set(str(v.id), str(input.query));
      return {
        call: {
          type: "tool_call",
          id: str(v.id),
          name: str(v.name),
          arguments: JSON.stringify(input),
          kind: "function",
        },
      };
    }
    if (v.type === "web_search_tool_result") {
      const id = str(v.tool_use_id);
      return { result: { callId: id, text: searchResultText(queries.get(id) ?? "", v.content) } };
    }
    if (v.type === "web_fetch_tool_result")
      return { result: { callId: str(v.tool_use_id), text: fetchResultText(v.content) } };
    return undefined;
  }
  if (p.dialect === "openai-responses" && v.type === "web_search_call") {
    const action = isObj(v.action) ? v.action : {};
    const query = str(action.query);
    const sources = Array.isArray(action.sources) ? action.sources.filter(isObj).map((s) => str(s.url)) : [];
    const id = str(v.id) || "ws_call";
    return {
      call: { type: "tool_call", id, name: "web_search", arguments: JSON.stringify({ query }), kind: "function" },
      result: {
        callId: id,
        text:
          sources.length > 0 ? `Web search for "${query}" found: ${sources.join(", ")}` : `Searched for "${query}".`,
      },
    };
  }
  return undefined;
}

/** Rewrites the conversation's web tool blocks in place; says whether there were any. */
export function webHistory(ir: Request, upstream: UpstreamDialect): boolean {
  let changed = false;
  const out: Message[] = [];
  for (const m of ir.messages) {
    if (m.role !== "assistant" || !m.content.some((p) => p.type === "raw")) {
      out.push(m);
      continue;
    }
    const queries = new Map<string, string>();
    let parts: Part[] = [];
    let results: Part[] = [];
    const flush = () => {
      if (parts.length > 0) out.push({ ...m, content: parts });
      if (results.length > 0) out.push({ role: "tool", content: results });
      parts = [];
      results = [];
    };
    for (const p of m.content) {
      const c = convert(p, upstream, queries);
      if (!c) {
        if (results.length > 0) flush();
        parts.push(p);
        continue;
      }
      changed = true;
      if (c.call) {
        if (results.length > 0) flush();
        parts.push(c.call);
      }
      if (c.result)
        results.push({
          type: "tool_result",
          callId: c.result.callId,
          content: [{ type: "text", text: c.result.text }],
        });
    }
    flush();
  }
  if (changed) ir.messages = out;
  return changed;
}
