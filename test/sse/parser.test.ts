import { describe, expect, it } from "vitest";
import { parseSseText, type SseEvent, SseParser } from "../../src/sse/parser.js";
import { SSE_DONE, sseComment, sseData, sseEvent } from "../../src/sse/serialize.js";

function feed(chunks: (string | Uint8Array)[]): SseEvent[] {
  const out: SseEvent[] = [];
  const p = new SseParser();
  const push = (e: SseEvent) => out.push(e);
  for (const c of chunks) p.push(c, push);
  p.end(push);
  return out;
}

const enc = new TextEncoder();

describe("SseParser", () => {
  it("parses event and data lines", () => {
    expect(parseSseText('event: a\ndata: {"x":1}\n\ndata: two\n\n')).toEqual([
      { event: "a", data: '{"x":1}' },
      { data: "two" },
    ]);
  });

  it("accepts CRLF, lone CR and LF line endings, also mixed", () => {
    const expected = [{ event: "e", data: "1" }, { data: "2" }, { data: "3" }];
    expect(parseSseText("event: e\r\ndata: 1\r\n\r\ndata: 2\r\rdata: 3\n\n")).toEqual(expected);
  });

  it("does not see a blank line when CR and LF of one CRLF arrive in different chunks", () => {
    expect(feed(["data: a\r", "\ndata: b\r\n\r\n"])).toEqual([{ data: "a\nb" }]);
  });

  it("joins multi-line data with newlines and strips only one leading space", () => {
    expect(parseSseText("data: line1\ndata:line2\ndata:   three\n\n")).toEqual([{ data: "line1\nline2\n  three" }]);
  });

  it("ignores comments and counts them as keep-alives", () => {
    const p = new SseParser();
    const out: SseEvent[] = [];
    p.push(": OPENROUTER PROCESSING\n\n: ping\ndata: x\n\n", (e) => out.push(e));
    expect(out).toEqual([{ data: "x" }]);
    expect(p.comments).toBe(2);
  });

  it("delivers a final event that lacks its closing blank line", () => {
    expect(parseSseText('event: message_stop\ndata: {"type":"message_stop"}')).toEqual([
      { event: "message_stop", data: '{"type":"message_stop"}' },
    ]);
    expect(parseSseText("data: last\n")).toEqual([{ data: "last" }]);
  });

  it("passes [DONE] through as data", () => {
    expect(parseSseText("data: {}\n\ndata: [DONE]\n\n")).toEqual([{ data: "{}" }, { data: "[DONE]" }]);
  });

  it("drops events without data and keeps the last id", () => {
    expect(parseSseText("event: lonely\n\nid: 7\ndata: x\n\n")).toEqual([{ data: "x", id: "7" }]);
  });

  it("treats a field without a colon as a field with an empty value", () => {
    expect(parseSseText("data\n\n")).toEqual([{ data: "" }]);
  });

  it("keeps multibyte characters split across chunks at every byte position", () => {
    const text = 'data: {"t":"héllo 🌍 世界"}\n\n';
    const bytes = enc.encode(text);
    for (let i = 1; i < bytes.length; i++) {
      expect(feed([bytes.subarray(0, i), bytes.subarray(i)])).toEqual([{ data: '{"t":"héllo 🌍 世界"}' }]);
    }
    const single: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i++) single.push(bytes.subarray(i, i + 1));
    expect(feed(single)).toEqual([{ data: '{"t":"héllo 🌍 世界"}' }]);
  });

  it("replaces invalid UTF-8 with U+FFFD instead of throwing", () => {
    const bytes = new Uint8Array([...enc.encode("data: a"), 0xff, 0xfe, ...enc.encode("b\n\n")]);
    expect(feed([bytes])).toEqual([{ data: "a\uFFFD\uFFFDb" }]);
  });

  it("yields the same events for every two-way split and for 1-byte chunks", () => {
    const text = "event: a\r\ndata: 1\r\n\r\n: c\n\ndata: x\ndata: y\n\nevent: b\rdata: é\r\rdata: end";
    const whole = parseSseText(text);
    expect(whole).toHaveLength(4);
    const bytes = enc.encode(text);
    for (let i = 0; i <= bytes.length; i++) expect(feed([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(whole);
    expect(feed(Array.from(bytes, (b) => new Uint8Array([b])))).toEqual(whole);
  });
});

describe("SSE serialisation", () => {
  it("writes event and data lines that parse back", () => {
    const text =
      sseEvent("message_start", '{"a":1}') + sseData("plain") + sseData("two\nlines") + sseComment("ping") + SSE_DONE;
    expect(text).toBe(
      'event: message_start\ndata: {"a":1}\n\ndata: plain\n\ndata: two\ndata: lines\n\n: ping\n\ndata: [DONE]\n\n',
    );
    expect(parseSseText(text)).toEqual([
      { event: "message_start", data: '{"a":1}' },
      { data: "plain" },
      { data: "two\nlines" },
      { data: "[DONE]" },
    ]);
  });

  it("splits data with CR or CRLF into separate data lines", () => {
    expect(sseData("a\r\nb\rc")).toBe("data: a\ndata: b\ndata: c\n\n");
  });
});
