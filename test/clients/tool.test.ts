/**
 * Which tool sent a request: the recorded requests of the real programs (shared fixtures), the official SDKs'
 * own headers (captured from them here, not written by hand), and the gateway's log line carrying the name.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { detectClientTool } from "../../src/clients/tool.js";
import { startHarness } from "../support/gateway.js";

const FIXTURES = join(import.meta.dirname, "../../../shared/fixtures/real-clients");

function recorded(): { file: string; headers: IncomingHttpHeaders }[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as { headers?: object } }))
    .filter((r) => r.json.headers !== undefined)
    .map((r) => ({ file: r.file, headers: r.json.headers as IncomingHttpHeaders }));
}

/** The headers an SDK call really sends, captured by a server that answers nothing useful. */
async function headersOf(call: (baseURL: string) => Promise<unknown>): Promise<IncomingHttpHeaders> {
  let seen: IncomingHttpHeaders = {};
  const server = createServer((req, res) => {
    seen = req.headers;
    res.writeHead(400, { "content-type": "application/json" }).end('{"error":{"message":"x","type":"x"}}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await call(url).catch(() => undefined);
  await new Promise((r) => server.close(r));
  return seen;
}

describe("detectClientTool", () => {
  it("names every recorded real client by its program", () => {
    const rows = recorded();
    expect(rows.length).toBeGreaterThanOrEqual(15);
    for (const { file, headers } of rows) {
      const expected = file.startsWith("claude") ? "claude-code" : file.startsWith("codex") ? "codex" : "opencode";
      expect(detectClientTool(headers), file).toBe(expected);
    }
  });

  it("names the official SDKs from the headers they send", async () => {
    const openai = await headersOf((baseURL) =>
      new OpenAI({ apiKey: "k", baseURL, maxRetries: 0 }).chat.completions.create({ model: "m", messages: [] }),
    );
    expect(detectClientTool(openai)).toBe("openai-sdk-js");
    const anthropic = await headersOf((baseURL) =>
      new Anthropic({ apiKey: "k", baseURL, maxRetries: 0 }).messages.create({
        model: "m",
        max_tokens: 1,
        messages: [],
      }),
    );
    expect(detectClientTool(anthropic)).toBe("anthropic-sdk-js");
  });

  it("names other tools by their user agents and app titles", () => {
    expect(detectClientTool({ "user-agent": "GeminiCLI/0.24.0 (linux; x64)" })).toBe("gemini-cli");
    // What Gemini CLI 0.61.0 sends (the real-client suite runs it and checks its log lines too).
    expect(
      detectClientTool({
        "user-agent": "GeminiCLI-tui/0.61.0/gemini-2.5-pro (linux; x64; terminal)",
        "x-goog-api-client": "google-genai-sdk/1.30.0 gl-node/v20.20.2",
      }),
    ).toBe("gemini-cli");
    expect(detectClientTool({ "user-agent": "Cursor/2.0.1" })).toBe("cursor");
    expect(detectClientTool({ "user-agent": "OpenAI/Python 1.109.1" })).toBe("openai-sdk-python");
    expect(detectClientTool({ "user-agent": "Anthropic/Python 0.69.0" })).toBe("anthropic-sdk-python");
    expect(detectClientTool({ "user-agent": "axios/1.7", "x-title": "Roo Code" })).toBe("roo-code");
    expect(detectClientTool({ "user-agent": "curl/8.5.0" })).toBe("curl");
    expect(detectClientTool({ "user-agent": "node" })).toBeUndefined();
    expect(detectClientTool({})).toBeUndefined();
  });
});

describe("the request log names the tool", () => {
  it("client_tool is on the log line of a Claude Code request, and Cursor is named by its body", async () => {
    const cc = recorded().find((r) => r.file.startsWith("claude-07"))!;
    const h = await startHarness((mockUrl) => ({
      providers: { up: { type: "openai", base_url: `${mockUrl}/v1`, api: "chat" } },
      models: { "*": { provider: "up", model: "m" } },
    }));
    try {
      const headers: Record<string, string> = { "content-type": "application/json" };
      for (const k of ["user-agent", "x-claude-code-session-id", "x-app", "anthropic-version"]) {
        headers[k] = String(cc.headers[k]);
      }
      await fetch(`${h.url}/v1/messages`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          model: "claude-sonnet-4-5",
          max_tokens: 10,
          messages: [{ role: "user", content: "hi" }],
        }),
      }).then((r) => r.text());
      await fetch(`${h.url}/cursor/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "undici" },
        body: JSON.stringify({ model: "gpt-5", messages: [{ role: "user", content: "hi" }] }),
      }).then((r) => r.text());
      // The log line is written as the request ends, which may be just after the client has read the answer.
      const lines = () => h.logs.filter((l) => l.req_id !== undefined);
      for (let i = 0; i < 100 && lines().length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(lines().map((l) => l.client_tool)).toEqual(["claude-code", "cursor"]);
    } finally {
      await h.close();
    }
  });
});
