import { describe, expect, it } from "vitest";
import { PLACEHOLDER_PREFIX, placeholderOf, StreamUnmask, unmask } from "../../src/guardrails/placeholder.js";
import { EventUnmask } from "../../src/guardrails/restore-events.js";
import type { AssistantPart, StreamEvent } from "../../src/ir/types.js";
import { chars } from "./planted.js";

const VALUE = `sk-${chars("restore", 30)}`;
const MINE = placeholderOf(VALUE, "caller-one-secret");
const MAPPING = new Map([[MINE, VALUE]]);
const INVENTED = `${PLACEHOLDER_PREFIX}0123456789abcdef`;

/** A text cut into pieces of `n` characters, pushed one by one, then flushed. */
function through(u: StreamUnmask, text: string, n: number): string {
  let out = "";
  for (let i = 0; i < text.length; i += n) out += u.push(text.slice(i, i + n));
  return out + u.flush();
}

describe("placeholders", () => {
  it("are stable for one caller and differ between callers", () => {
    expect(placeholderOf(VALUE, "caller-one-secret")).toBe(MINE);
    expect(placeholderOf(VALUE, "caller-two-secret")).not.toBe(MINE);
    expect(MINE).toMatch(/^LLMUX_MASK_[0-9a-f]{16}$/);
  });

  it("are put back wherever the deltas cut them, down to one character a delta", () => {
    const text = `use ${MINE} here, and ${MINE}; not ${INVENTED}. L LL LLMUX LLMUX_MASK_zz end`;
    const expected = text.split(MINE).join(VALUE);
    for (const n of [1, 2, 3, 5, 7, 11, 27, 1000]) expect(through(new StreamUnmask(MAPPING), text, n)).toBe(expected);
  });

  it("leaves an invented placeholder, and another caller's, as they are", () => {
    const theirs = placeholderOf(VALUE, "caller-two-secret");
    expect(unmask(`${INVENTED} ${theirs}`, MAPPING)).toBe(`${INVENTED} ${theirs}`);
    expect(through(new StreamUnmask(MAPPING), `${theirs}`, 1)).toBe(theirs);
  });

  it("holds back only what may be a placeholder's start", () => {
    const u = new StreamUnmask(MAPPING);
    expect(u.push("hello LLM")).toBe("hello ");
    expect(u.push("X is")).toBe("LLMX is");
    expect(u.push(" LLMUX_MASK_0a")).toBe(" ");
    expect(u.flush()).toBe("LLMUX_MASK_0a");
  });
});

describe("the answer's events", () => {
  const run = (events: StreamEvent[]) => {
    const out: StreamEvent[] = [];
    const u = new EventUnmask(MAPPING);
    for (const e of events) u.rewrite(e, (x) => out.push(x));
    return out;
  };
  const deltas = (text: string, kind: "text" | "arguments", index: number): StreamEvent[] =>
    [...text].map((c) => ({ type: "delta", index, kind, text: c }));

  it("restores text and tool-call arguments (JSON-escaped there) across one-character deltas", () => {
    const pem = `-----BEGIN KEY-----\n${chars("pem", 20)}\n"quoted"`;
    const held = placeholderOf(pem, "caller-one-secret");
    const u = new EventUnmask(new Map([...MAPPING, [held, pem]]));
    const args = JSON.stringify({ content: `KEY=${MINE}\n${held}` });
    const events: StreamEvent[] = [
      { type: "block_start", index: 0, block: { type: "text" } },
      ...deltas(`the key is ${MINE}`, "text", 0),
      { type: "block_stop", index: 0, part: { type: "text", text: `the key is ${MINE}` } },
      { type: "block_start", index: 1, block: { type: "tool_call", id: "c", name: "write_file", kind: "function" } },
      ...deltas(args, "arguments", 1),
      {
        type: "block_stop",
        index: 1,
        part: { type: "tool_call", id: "c", name: "write_file", kind: "function", arguments: args },
      },
    ];
    const out: StreamEvent[] = [];
    for (const e of events) u.rewrite(e, (x) => out.push(x));
    const streamed = (i: number) =>
      out
        .filter((e): e is Extract<StreamEvent, { type: "delta" }> => e.type === "delta" && e.index === i)
        .map((e) => e.text)
        .join("");
    expect(streamed(0)).toBe(`the key is ${VALUE}`);
    expect(JSON.parse(streamed(1))).toEqual({ content: `KEY=${VALUE}\n${pem}` });
    const stops = out.filter((e): e is Extract<StreamEvent, { type: "block_stop" }> => e.type === "block_stop");
    expect((stops[0]!.part as Extract<AssistantPart, { type: "text" }>).text).toBe(`the key is ${VALUE}`);
    const call = stops[1]!.part as Extract<AssistantPart, { type: "tool_call" }>;
    expect(JSON.parse(call.arguments)).toEqual({ content: `KEY=${VALUE}\n${pem}` });
  });

  it("leaves reasoning as the model wrote it", () => {
    const out = run([
      { type: "block_start", index: 0, block: { type: "reasoning" } },
      { type: "delta", index: 0, kind: "reasoning", text: MINE },
    ]);
    expect(out[1]).toMatchObject({ text: MINE });
  });
});
