/**
 * Every failure speaks the client's dialect and is logged: an unknown route asked by an Anthropic client,
 * JSON nested past the limit (a 400 at parse time, also when the response would be stored), and an
 * Anthropic passthrough answer cut mid-body (a 502 in Anthropic's shape).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { JSON_DEPTH_LIMIT } from "../../src/http/decode-json.js";
import { Gateway } from "../../src/server/gateway.js";
import { eventually, type Harness, startHarness, tempStorePath } from "../support/gateway.js";

const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

describe("failures in the client's dialect", () => {
  let h: Harness;
  let cut: Server;
  let cutUrl: string;
  beforeAll(async () => {
    cut = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const text = JSON.stringify({
          id: "msg_1",
          type: "message",
          role: "assistant",
          model: "claude-sonnet-4-5",
          content: [{ type: "text", text: "a long answer ".repeat(50) }],
          stop_reason: "end_turn",
          usage: { input_tokens: 1, output_tokens: 1 },
        });
        res.writeHead(200, { "content-type": "application/json", "content-length": String(text.length) });
        res.write(text.slice(0, 100));
        setTimeout(() => res.socket?.destroy(), 20);
      });
    });
    await new Promise<void>((r) => cut.listen(0, "127.0.0.1", r));
    cutUrl = `http://127.0.0.1:${(cut.address() as AddressInfo).port}`;
    h = await startHarness(() => ({
      providers: { cut: { type: "anthropic", base_url: cutUrl, api_key: "k" } },
      models: { cut: { provider: "cut", model: "claude-sonnet-4-5" } },
    }));
  });
  afterAll(async () => {
    await h.close();
    await new Promise<void>((r) => cut.close(() => r()));
  });

  it("an unknown route asked by an Anthropic client is a 404 in Anthropic's shape, logged", async () => {
    const res = await fetch(`${h.url}/v1/messages/batches`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": "k" },
      body: "{}",
    });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { type: string; error: { type: string } };
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("not_found_error");
    await eventually(() => h.logs.find((l) => l.path === "/v1/messages/batches" && l.status === 404));
  });

  it("JSON nested past the limit is a 400 at parse time, in each dialect", async () => {
    const anthropic = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
    const e = await anthropic.messages
      .create({
        model: "via-anthropic",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
        metadata: { deep: JSON.parse(deep(JSON_DEPTH_LIMIT + 5)) } as never,
      })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Anthropic.BadRequestError);
    expect(JSON.stringify((e as InstanceType<typeof Anthropic.APIError>).error)).toContain("invalid_request_error");
    expect(String((e as Error).message)).toContain(`${JSON_DEPTH_LIMIT} levels`);
    // Far deeper than any recursion could take, on a stored Responses request: a 400, never a 200 and a crash.
    const res = await fetch(`${h.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"model":"via-anthropic","store":true,"input":"hi","metadata":{"x":${deep(200_000)}}}`,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toContain("levels");
    const openai = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    expect((await openai.models.list()).data.length).toBeGreaterThan(0);
  });

  it("an Anthropic passthrough answer cut mid-body is a 502 in Anthropic's shape, logged", async () => {
    const anthropic = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
    const e = await anthropic.messages
      .create({ model: "cut", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Anthropic.APIError);
    const err = e as InstanceType<typeof Anthropic.APIError>;
    expect(err.status).toBe(502);
    expect((err.error as { type: string }).type).toBe("error");
    const line = await eventually(() => h.logs.find((l) => l.model === "claude-sonnet-4-5" && l.status === 502));
    expect(String(line.reason)).toMatch(/cut|closed/);
  });
});

describe("an internal failure (a stage that throws)", () => {
  it("is a 500 in the client's own dialect, logged once with its reason, and llmux keeps serving", async () => {
    const logs: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) logs.push(JSON.parse(line));
        cb();
      },
    });
    const config = parseConfig(
      { store: { path: tempStorePath() }, providers: { m: { type: "mock" } }, models: { m: { provider: "m" } } },
      {},
    );
    let fail = true;
    const gateway = new Gateway(config, pino({ level: "info", base: undefined }, sink), {
      resolvers: [
        {
          resolve: () => {
            if (fail) throw new Error("a stage broke");
            return { owner: "open", kind: "open" };
          },
        },
      ],
    });
    const { port } = await gateway.listen(0, "127.0.0.1");
    const url = `http://127.0.0.1:${port}`;
    try {
      const post = (path: string, body: object, headers: Record<string, string> = {}) =>
        fetch(`${url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
        });
      const a = await post(
        "/v1/messages",
        { model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] },
        { "anthropic-version": "2023-06-01", "x-request-id": "internal-a" },
      );
      expect(a.status).toBe(500);
      const ab = (await a.json()) as { type: string; error: { type: string } };
      expect(ab.type).toBe("error");
      expect(ab.error.type).toBe("api_error");
      const r = await post("/v1/responses", { model: "m", input: "hi" }, { "x-request-id": "internal-r" });
      expect(r.status).toBe(500);
      expect(((await r.json()) as { error: { type: string } }).error.type).toBe("server_error");
      const lines = await eventually(() => {
        const l = logs.filter((x) => x.client_request_id === "internal-a" && x.status === 500);
        return l.length > 0 ? l : undefined;
      });
      expect(lines).toHaveLength(1);
      expect(lines[0]!.reason).toBe("internal error");
      expect(logs.some((l) => l.msg === "unhandled error" && l.req_id === lines[0]!.req_id)).toBe(true);
      fail = false;
      expect(
        (await post("/v1/messages", { model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }] })).status,
      ).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});
