import type { ServerResponse } from "node:http";
import { newId } from "../ir/ids.js";
import { isObject } from "../ir/input-error.js";
import type { JsonObject } from "../ir/types.js";
import { SseParser } from "../sse/parser.js";

const sse = (e: JsonObject) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`;

/** The text of a Response's output messages. */
function outputText(response: JsonObject): string {
  const out = Array.isArray(response.output) ? response.output : [];
  let text = "";
  for (const item of out) {
    if (!isObject(item) || item.type !== "message" || !Array.isArray(item.content)) continue;
    for (const c of item.content) if (isObject(c) && typeof c.text === "string") text += c.text;
  }
  return text;
}

/**
 * Turns the answer to a summary request into what a compaction is answered with: exactly one `compaction`
 * output item whose `encrypted_content` is `seal(summary)`. On a stream, the summary's own events are held
 * back and the item is sent before `response.completed`; a whole Response has its output replaced. Errors
 * pass as they are. It wraps the response's `write` and `end` for this request only.
 */
export function compactionAnswer(res: ServerResponse, seal: (summary: string) => string): void {
  const write = res.write.bind(res) as (chunk: unknown) => boolean;
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  const parser = new SseParser();
  let text = "";
  let json = "";
  const isStream = () => String(res.getHeader("content-type") ?? "").includes("event-stream");
  const item = (summary: string): JsonObject => ({
    type: "compaction",
    id: newId("cmp_", 24),
    encrypted_content: seal(summary),
  });
  const events = (chunk: unknown): string => {
    let out = "";
    parser.push(chunk as Uint8Array | string, (e) => {
      let ev: unknown;
      try {
        ev = JSON.parse(e.data);
      } catch {
        return;
      }
      if (!isObject(ev)) return;
      if (ev.type === "response.output_text.delta" && typeof ev.delta === "string") text += ev.delta;
      else if (ev.type === "response.completed" && isObject(ev.response)) {
        const summary = text || outputText(ev.response);
        const done = item(summary);
        out += sse({ type: "response.output_item.added", output_index: 0, item: done });
        out += sse({ type: "response.output_item.done", output_index: 0, item: done });
        out += sse({ ...ev, response: { ...ev.response, output: [done] } });
      } else if (
        ev.type === "response.created" ||
        ev.type === "response.in_progress" ||
        ev.type === "response.failed" ||
        ev.type === "response.incomplete" ||
        ev.type === "error"
      )
        out += sse(ev);
    });
    return out;
  };
  // A whole answer is rewritten: its length is not known until then.
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    for (const h of rest) if (isObject(h as JsonObject)) delete (h as Record<string, unknown>)["content-length"];
    return writeHead(status, ...rest);
  }) as ServerResponse["writeHead"];
  res.write = ((chunk: unknown) => {
    if (!isStream()) {
      json += String(chunk);
      return true;
    }
    const out = events(chunk);
    return out ? write(out) : true;
  }) as ServerResponse["write"];
  res.end = ((chunk?: unknown) => {
    if (isStream()) {
      const out = chunk === undefined ? "" : events(chunk);
      return end(out || undefined);
    }
    const body = json + (chunk === undefined ? "" : String(chunk));
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return end(body);
    }
    if (res.statusCode >= 400 || !isObject(parsed) || !Array.isArray(parsed.output)) return end(body);
    return end(JSON.stringify({ ...parsed, output: [item(outputText(parsed))] }));
  }) as ServerResponse["end"];
}
