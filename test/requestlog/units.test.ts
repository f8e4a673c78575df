/** The request log's pure parts: the redaction pass, bounded capture with its truncated mark, error classes. */
import { describe, expect, it } from "vitest";
import { ExchangeCapture } from "../../src/request/capture.js";
import { errorClassOf, fromError, fromStatus } from "../../src/request/error-class.js";
import { newRecord } from "../../src/request/record.js";
import type { AttemptClock } from "../../src/request/timing.js";
import { bodiesOf } from "../../src/requestlog/bodies.js";
import { Masker } from "../../src/secrets/mask.js";
import { Redactor } from "../../src/secrets/redact.js";

describe("the redaction pass", () => {
  const r = new Redactor(["az-0123456789abcdef0123456789abcdef", "short"], ["ACME-[0-9]{6}"]);
  it.each([
    ["a configured secret", "key az-0123456789abcdef0123456789abcdef here", "key [REDACTED] here"],
    ["a bearer token", "Authorization: Bearer abc.def-ghi_jkl012", "Authorization: Bearer [REDACTED]"],
    ["an llmux key", `use lx-${"A".repeat(43)} now`, "use [REDACTED] now"],
    ["an OpenAI key", "sk-proj-abcdefghijklmnopqrstuvwxyz", "[REDACTED]"],
    ["an Anthropic key", "x sk-ant-api03-abcdefghijklmnopqrstuvwx y", "x [REDACTED] y"],
    ["a Google key", `AIza${"b".repeat(35)}`, "[REDACTED]"],
    ["a JSON member named like a secret", '{"api_key":"plain-words","n":1}', '{"api_key":"[REDACTED]","n":1}'],
    ["a configured pattern", "ticket ACME-123456 done", "ticket [REDACTED] done"],
  ])("%s", (_, text, want) => {
    expect(r.redact(text)).toBe(want);
  });
  it("leaves ordinary text, and short configured values, alone", () => {
    const text = "a short answer about skies and tokens";
    expect(r.redact(text)).toBe(text);
  });
  it("removes a request's own secrets wherever they are", () => {
    expect(r.redact("mine: my-own-upstream-key-42 end", ["my-own-upstream-key-42"])).toBe("mine: [REDACTED] end");
  });
});

describe("bounded capture", () => {
  it("keeps each body up to the cap, marks it truncated, and redacts a secret the cap cuts through", () => {
    const c = new ExchangeCapture(20);
    const secret = "sk-abcdefghijklmnopqrstuvwxyz";
    c.request(Buffer.from(`0123456789 ${secret} and much more after it`));
    c.upstream("https://upstream.example/v1/chat/completions", "short", undefined);
    const b = bodiesOf(c, 20, (s) => new Redactor([]).redact(s));
    expect(b.client_request).toBe("0123456789 [REDACTED");
    expect(b.client_request!.length).toBe(20);
    expect(b.upstream_request).toBe("short");
    expect(b.upstream_response).toBe("");
    expect(b.truncated).toEqual(["client_request"]);
  });
});

describe("one capture, read by each reader up to its own cap", () => {
  it("keeps what the larger reader wants; the request log still cuts at its own cap", () => {
    // Recording on (a large cap) and body logging at 20 bytes share one capture.
    const c = new ExchangeCapture(1 << 20);
    const clockOf = (): AttemptClock => ({
      startAt: 0,
      waitMs: 0,
      chunks: 0,
      maxGapMs: 0,
      alias: "a",
      provider: "p",
      model: "m",
    });
    const clock = clockOf();
    c.request(Buffer.from("x".repeat(100)));
    c.upstream("https://h.example/v1/messages?key=secret-in-query&alt=sse", '{"model":"m"}', clock);
    clock.tap?.(Buffer.from("data: one\n\n"));
    clock.tap?.(Buffer.from("data: two\n\n"));
    expect(c.upstreamPath).toBe("/v1/messages?alt=sse");
    expect(c.upstreamResponse!.bytes().toString()).toBe("data: one\n\ndata: two\n\n");
    expect(c.clientRequest!.bytes()).toHaveLength(100);
    const b = bodiesOf(c, 20, (s) => s);
    expect(b.client_request).toBe("x".repeat(20));
    expect(b.upstream_response).toBe("data: one\n\ndata: two");
    expect(b.truncated).toEqual(["client_request", "upstream_response"]);
    // A retry replaces the attempt: its request and answer only.
    const again = clockOf();
    c.upstream("https://h.example/v1/messages", '{"model":"m2"}', again);
    clock.tap?.(Buffer.from("late chunk of the first attempt"));
    again.tap?.(Buffer.from("data: three\n\n"));
    expect(c.upstreamRequest!.bytes().toString()).toBe('{"model":"m2"}');
    expect(c.upstreamResponse!.bytes().toString()).toBe("data: three\n\n");
  });
});

describe("one secret-redaction pass for bodies and recordings", () => {
  const secrets = new Redactor(["conf-secret-0123456789"], ["ACME-[0-9]{6}"]);
  it("a recording removes the same secrets, shapes, named members and configured patterns", () => {
    const m = new Masker(true, secrets).with(["callers-own-key-0123456789"]);
    const body = JSON.stringify({
      model: "m",
      messages: [
        {
          role: "user",
          content: `conf-secret-0123456789 lx-${"A".repeat(43)} ACME-123456 callers-own-key-0123456789 Bearer abcdefghijkl`,
        },
      ],
      metadata: { api_key: "plain-words" },
    });
    const out = JSON.parse(m.json(body));
    expect(out.messages[0].content).toBe("[REDACTED] [REDACTED] [REDACTED] [REDACTED] Bearer [REDACTED]");
    expect(out.metadata.api_key).toBe("[REDACTED]");
    expect(secrets.redact(body)).not.toContain("conf-secret");
  });
});

describe("error classes", () => {
  it("one class per settled request: none when it ended well, aborted, the stage's class, else the status", () => {
    const rec = newRecord("r", "POST", "/v1/messages");
    rec.status = 200;
    expect(errorClassOf(rec)).toBeUndefined();
    rec.outcome = "aborted";
    expect(errorClassOf(rec)).toBe("aborted");
    rec.outcome = "error";
    expect(errorClassOf(rec)).toBe("server");
    rec.errorClass = "overloaded";
    expect(errorClassOf(rec)).toBe("overloaded");
    const refused = newRecord("s", "POST", "/v1/messages");
    refused.status = 404;
    expect(errorClassOf(refused)).toBe("not_found");
  });

  it("names llmux's own refusals and the upstream's failures", () => {
    expect(fromError({ status: 401, kind: "authentication", message: "no" }, true)).toBe("auth");
    expect(fromError({ status: 403, kind: "permission", message: "x", code: "invalid_api_key" }, true)).toBe("auth");
    expect(fromError({ status: 429, kind: "rate_limit", message: "rpm" }, true)).toBe("rate_limit_local");
    expect(fromError({ status: 429, kind: "billing", message: "budget" }, true)).toBe("budget");
    expect(fromError({ status: 502, kind: "server", message: "upstream x is unreachable: ECONNREFUSED" }, false)).toBe(
      "connection",
    );
    expect(fromStatus(504)).toBe("timeout");
    expect(fromStatus(418)).toBe("bad_request");
  });
});
