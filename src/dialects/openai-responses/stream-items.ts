import { isObject } from "../../ir/input-error.js";
import { stopFromResponses } from "../../ir/stop-reason.js";
import type { BlockHead, Json, JsonObject, ReasoningPart, ToolCallPart, Usage } from "../../ir/types.js";
import type { EndEvent } from "../decoder-lifecycle.js";
import { identityOf, unwrapCustomInput } from "../tool-identity.js";
import type { EventSink, ToolIdentity, ToolMapping } from "../types.js";
import { decodeCallItem, decodeReasoningItem } from "./items.js";
import { decodeResponsesUsage } from "./usage.js";

/** One output item being streamed. */
export interface Item {
  outputIndex: number;
  type: string;
  id: string;
  value: JsonObject;
  /** IR block of a reasoning, call or raw item. */
  ir?: number;
  text: string;
  identity?: ToolIdentity;
  /** Per summary part (reasoning): text received through deltas. */
  summaries: string[];
  /** Message: the open content part and the texts of closed parts. */
  part?: { ir: number; contentIndex: number; kind: "text" | "refusal"; text: string; annotations?: Json[] };
  closedParts: number;
  sawDelta: boolean;
}

/** The IR block a function or custom tool call item opens; records the call's identity on the item. */
export function callBlock(item: Item, value: JsonObject, tools: ToolMapping | undefined): BlockHead {
  const name = typeof value.name === "string" ? value.name : "";
  const identity = identityOf(tools, name);
  if (identity) item.identity = identity;
  return {
    type: "tool_call",
    id: typeof value.call_id === "string" ? value.call_id : item.id,
    name: identity?.name ?? name,
    kind: identity?.kind ?? (item.type === "custom_tool_call" ? "custom" : "function"),
    ...(item.id ? { itemId: item.id } : {}),
    ...(identity?.namespace
      ? { namespace: identity.namespace }
      : typeof value.namespace === "string"
        ? { namespace: value.namespace }
        : {}),
  };
}

/** The finished reasoning part; text that arrived only in the final item is emitted as deltas first. */
export function finishReasoning(item: Item & { ir: number }, merged: JsonObject, out: EventSink): ReasoningPart {
  const r = decodeReasoningItem(merged);
  if (!item.sawDelta && r.text.length > 0) {
    if (r.summary) {
      r.summary.forEach((s, i) => {
        out({ type: "delta", index: item.ir, kind: "reasoning", text: s, part: i });
      });
    } else out({ type: "delta", index: item.ir, kind: "reasoning", text: r.text });
  }
  if (item.summaries.length > 0 && !r.summary) {
    r.summary = item.summaries.map((s) => s ?? "");
    r.text = r.summary.join("\n\n");
  } else if (item.text && !r.text) {
    r.text = item.text;
    r.raw = true;
  }
  return r;
}

/** The finished tool call; arguments seen only in the final item, or unwrapped custom input, are emitted. */
export function finishCall(item: Item & { ir: number }, merged: JsonObject, out: EventSink): ToolCallPart {
  const key = item.type === "custom_tool_call" ? "input" : "arguments";
  const finalArgs =
    typeof merged[key] === "string" && (merged[key] as string).length > 0 ? (merged[key] as string) : item.text;
  if (!item.sawDelta && finalArgs.length > 0 && !item.identity?.wrapped) {
    out({ type: "delta", index: item.ir, kind: "arguments", text: finalArgs });
  }
  const call = decodeCallItem(
    { ...merged, call_id: merged.call_id ?? item.id, name: merged.name ?? "", [key]: finalArgs },
    "item",
  );
  if (item.identity) {
    call.name = item.identity.name;
    call.kind = item.identity.kind;
    if (item.identity.namespace) call.namespace = item.identity.namespace;
    if (item.identity.wrapped) {
      call.arguments = unwrapCustomInput(finalArgs);
      if (call.arguments.length > 0) out({ type: "delta", index: item.ir, kind: "arguments", text: call.arguments });
    }
  }
  return call;
}

/** The IR end event of a finished response (completed or incomplete). */
export function responsesEnd(r: JsonObject, sawToolCall: boolean): EndEvent {
  const incomplete = isObject(r.incomplete_details) ? r.incomplete_details.reason : undefined;
  const hadCalls =
    sawToolCall ||
    (Array.isArray(r.output) &&
      r.output.some((o) => isObject(o) && (o.type === "function_call" || o.type === "custom_tool_call")));
  const ev: EndEvent = {
    type: "end",
    stopReason: stopFromResponses(
      typeof r.status === "string" ? r.status : "completed",
      typeof incomplete === "string" ? incomplete : undefined,
      hadCalls,
    ),
  };
  if (isObject(r.usage)) ev.usage = decodeResponsesUsage(r.usage) as Usage;
  return ev;
}
