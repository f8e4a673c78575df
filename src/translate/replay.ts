import type { AssistantPart, BlockHead, Response, StreamEvent } from "../ir/types.js";

function headOf(part: AssistantPart): BlockHead {
  switch (part.type) {
    case "text":
      return part.extras ? { type: "text", extras: part.extras } : { type: "text" };
    case "refusal":
      return { type: "refusal" };
    case "reasoning": {
      const head: BlockHead = { type: "reasoning" };
      if (part.id) head.id = part.id;
      if (part.redacted !== undefined) head.redacted = part.redacted;
      if (part.raw) head.raw = true;
      return head;
    }
    case "tool_call": {
      const head: BlockHead = { type: "tool_call", id: part.id, name: part.name, kind: part.kind };
      if (part.itemId) head.itemId = part.itemId;
      if (part.namespace) head.namespace = part.namespace;
      return head;
    }
    case "raw":
      return { type: "raw", dialect: part.dialect, value: part.value };
  }
}

/** A complete Response as IR stream events: how a streaming client is served from a non-streamed upstream. */
export function responseEvents(res: Response): StreamEvent[] {
  const events: StreamEvent[] = [{ type: "start", id: res.id, model: res.model, created: res.created }];
  res.content.forEach((part, index) => {
    events.push({ type: "block_start", index, block: headOf(part) });
    if (part.type === "text" && part.text) events.push({ type: "delta", index, kind: "text", text: part.text });
    else if (part.type === "refusal" && part.text)
      events.push({ type: "delta", index, kind: "refusal", text: part.text });
    else if (part.type === "tool_call" && part.arguments)
      events.push({ type: "delta", index, kind: "arguments", text: part.arguments });
    else if (part.type === "reasoning" && part.redacted === undefined) {
      if (part.summary && part.summary.length > 0) {
        part.summary.forEach((text, i) => {
          events.push({ type: "delta", index, kind: "reasoning", text, part: i });
        });
      } else if (part.text) events.push({ type: "delta", index, kind: "reasoning", text: part.text });
    }
    events.push({ type: "block_stop", index, part });
  });
  const end: StreamEvent = { type: "end", stopReason: res.stopReason, stopSequence: res.stopSequence ?? null };
  if (res.usage) end.usage = res.usage;
  if (res.extras) end.extras = res.extras;
  events.push(end);
  return events;
}
