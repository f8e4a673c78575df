/**
 * The terminal view of the log: request log objects (the fields finalise.ts writes; any may be missing) rendered
 * as one short line, rejected requests as warnings in words, other lines short; and the logger that writes
 * them when stdout is a terminal.
 */
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { terminalStream } from "../../src/log/logger.js";
import { COLOURS, duration, requestLine, terminalLine } from "../../src/log/terminal-line.js";

const FULL = {
  level: 30,
  time: Date.UTC(2026, 0, 2, 3, 4, 5),
  req_id: "req_abc",
  method: "POST",
  path: "/v1/messages",
  status: 200,
  outcome: "ok",
  client: "anthropic",
  client_tool: "claude-code",
  requested: "claude-sonnet-4-5",
  alias: "claude-*",
  provider: "anthropic",
  model: "claude-sonnet-4-5",
  stream: true,
  passthrough: false,
  latency_ms: 1234.5,
  ttfb_ms: 310.2,
  tokens: { input: 1234, output: 567 },
  key: "alice",
  msg: "request",
};

describe("one request, one line", () => {
  it("renders the form the README shows", () => {
    expect(requestLine(FULL)).toBe(
      "200 POST /v1/messages claude-sonnet-4-5 (alias claude-*) → anthropic 1.2 s ttft 310 ms 1,234→567 tok key:alice [claude-code]",
    );
  });

  it("names the upstream model when it differs from the one asked for, and the deployment", () => {
    expect(
      requestLine({
        ...FULL,
        requested: "gpt-high",
        alias: "gpt-high",
        provider: "azure",
        model: "gpt-5-codex",
        deployment: "azure-east",
        stream: false,
        client_tool: "codex",
      }),
    ).toBe("200 POST /v1/messages gpt-high → azure gpt-5-codex (azure-east) 1.2 s 1,234→567 tok key:alice [codex]");
  });

  it("marks estimated tokens and shows cached ones", () => {
    const line = requestLine({ ...FULL, tokens: { input: 1000, output: 20, cache_read: 800, estimated: true } });
    expect(line).toContain("≈1,000→20 tok (800 cached)");
  });

  it("says warnings in words", () => {
    const line = requestLine({
      ...FULL,
      warnings: [
        { code: "effort_clamped", message: "gpt-5-pro does not accept reasoning effort 'low'; 'high' was used" },
        { code: "top_p_dropped", message: "top_p was removed" },
      ],
    });
    expect(line).toMatch(/ ⚠ gpt-5-pro does not accept reasoning effort 'low'; 'high' was used; top_p was removed$/);
    // Today's log line carries codes only: they are shown as they are.
    expect(requestLine({ ...FULL, warnings: ["effort_clamped"] })).toMatch(/ ⚠ effort_clamped$/);
  });

  it("a rejected key is a warning saying why, with the key's name and the tool", () => {
    const o = {
      level: 40,
      req_id: "req_1",
      method: "POST",
      path: "/v1/messages",
      status: 401,
      outcome: "refused",
      reason: "the API key is not one of llmux's service keys",
      key: "config:3fa9c1",
      client_tool: "claude-code",
      latency_ms: 0.4,
      msg: "request refused",
    };
    expect(requestLine(o)).toBe(
      "401 POST /v1/messages 0 ms key:config:3fa9c1 [claude-code] refused: the API key is not one of llmux's service keys",
    );
  });

  it("403 and 404 say why too; an error without a reason uses the error text", () => {
    expect(requestLine({ req_id: "r", status: 403, path: "/v1/chat/completions", reason: "model not allowed" })).toBe(
      "403 /v1/chat/completions refused: model not allowed",
    );
    expect(
      requestLine({
        req_id: "r",
        status: 404,
        outcome: "error",
        path: "/v1/chat/completions",
        requested: "gpt-6",
        error: "The model 'gpt-6' is not configured here",
        tokens: { input: 12, output: 0, estimated: true },
      }),
    ).toBe("404 /v1/chat/completions gpt-6 failed: The model 'gpt-6' is not configured here");
  });

  it("an aborted stream says so", () => {
    expect(requestLine({ ...FULL, status: 200, outcome: "aborted" })).toMatch(/ — aborted by the client$/);
  });

  it("tolerates a line with almost nothing in it", () => {
    expect(requestLine({ req_id: "r" })).toBe("???");
  });

  it("colours the status by class when asked", () => {
    expect(requestLine({ req_id: "r", status: 200 }, COLOURS)).toBe("\x1b[32m200\x1b[39m");
    expect(requestLine({ req_id: "r", status: 401 }, COLOURS)).toBe("\x1b[33m401\x1b[39m");
    expect(requestLine({ req_id: "r", status: 502 }, COLOURS)).toBe("\x1b[31m502\x1b[39m");
  });

  it("durations read naturally", () => {
    expect([duration(0.4), duration(840), duration(1234), duration(12_400), duration(65_000)]).toEqual([
      "0 ms",
      "840 ms",
      "1.2 s",
      "12 s",
      "1 min 5 s",
    ]);
  });
});

describe("other lines", () => {
  it("a warning says so, with its fields after the words", () => {
    const t = new Date(2026, 0, 2, 3, 4, 5).getTime();
    expect(terminalLine({ level: 40, time: t, msg: "pruning failed", err: { message: "disk full" } })).toBe(
      "03:04:05 warning: pruning failed err=disk full",
    );
    expect(
      terminalLine({
        level: 30,
        time: t,
        msg: "llmux listening on http://127.0.0.1:4000",
        url: "http://127.0.0.1:4000",
        models: ["a", "b*"],
      }),
    ).toBe("03:04:05 llmux listening on http://127.0.0.1:4000 models=a,b*");
  });

  it("request lines start with the time", () => {
    expect(terminalLine({ ...FULL, time: new Date(2026, 0, 2, 13, 40, 2).getTime() })).toMatch(/^13:40:02 200 POST /);
  });
});

describe("the terminal logger", () => {
  it("writes each pino line as one short line", () => {
    const lines: string[] = [];
    const out = new Writable({
      write(c: Buffer, _e, cb) {
        lines.push(c.toString());
        cb();
      },
    });
    const logger = pino({ level: "info", base: undefined }, terminalStream(out, false));
    const { level: _l, time: _t, msg: _m, ...fields } = FULL;
    logger.info(fields, "request");
    logger.warn("no models are configured");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d 200 POST \/v1\/messages claude-sonnet-4-5 \(alias claude-\*\) → anthropic /,
    );
    expect(lines[0]!.endsWith("[claude-code]\n")).toBe(true);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d warning: no models are configured\n$/);
  });
});
