/**
 * The conversation view in a terminal: recorded Claude Code and Cursor traffic rendered as `llmux logs`
 * shows it (snapshots of the text without colours), colours only when asked for, and the command itself
 * against a running server and against the store, plus the live view on the server's stdout.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { answerOf, conversationOf } from "../../src/requestlog/conversation.js";
import { renderRequest } from "../../src/requestlog/render.js";
import type { RequestRow } from "../../src/requestlog/view.js";
import { BIN, llmux } from "../cli/run.js";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, call } from "../support/team.js";

/** An ANSI style sequence (SGR), and its escape character. */
const ESC = String.fromCharCode(27);
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`);

const FIXTURES = join(import.meta.dirname, "../../../shared/fixtures");
const read = (p: string) => readFileSync(join(FIXTURES, p), "utf8");

const ROW: RequestRow = {
  id: "req_0123456789abcdefghij",
  client_request_id: null,
  time: "2026-11-23T10:00:00.000Z",
  key_id: "key_AbCdEfGh12345678",
  key_name: "alice-laptop",
  team_id: "team_platform",
  user: "alice",
  method: "POST",
  path: "/v1/messages",
  kind: "generate",
  model_call: true,
  client_dialect: "anthropic",
  client_tool: "claude-code",
  session_id: "fedb26f5-d2ef-4410-a793-ef251fc258f5",
  agent_id: null,
  parent_agent_id: null,
  requested_model: "claude-sonnet-4-5",
  alias: "claude-*",
  provider: "anthropic",
  deployment: "anthropic-east",
  model: "claude-sonnet-4-5-20250929",
  stream: true,
  status: 200,
  outcome: "ok",
  error_class: null,
  reason: null,
  latency_ms: 4210.4,
  ttft_ms: 812.7,
  overhead_ms: 0.9,
  input_tokens: 31_245,
  output_tokens: 312,
  cache_read_tokens: 28_000,
  cache_write_tokens: 0,
  reasoning_tokens: 40,
  cache_hit_rate: 28_000 / 31_245,
  estimated: false,
  cost_usd: 0.017_634,
  attempts: 2,
  route: "anthropic-east; anthropic-west: 529 overloaded",
  warnings: [{ code: "beta_dropped", message: "anthropic-beta context-management-2025-06-27 dropped" }],
  has_bodies: true,
  web: null,
};

function claudeCode() {
  const recorded = JSON.parse(read("real-clients/claude-sonnet45-toolroundtrip-06-POST__v1_messages_tool_result.json"));
  return {
    ...ROW,
    conversation: conversationOf("anthropic", JSON.stringify(recorded.body)),
    answer: answerOf("anthropic", read("upstream-streams/anthropic/thinking-signature-then-text.sse")),
  };
}

function cursor() {
  const dir = "cursor-azure-gpt5/tests/recordings/context_single_tool_calls";
  return {
    ...ROW,
    path: "/v1/chat/completions",
    client_dialect: "openai-chat",
    client_tool: "cursor",
    requested_model: "gpt-high",
    alias: "gpt-high",
    provider: "azure-east",
    deployment: null,
    model: "gpt-5",
    route: null,
    attempts: 1,
    warnings: [],
    conversation: conversationOf("openai-chat", read(`${dir}/downstream_request.json`)),
    answer: answerOf("openai-chat", read(`${dir}/downstream_response.sse`)),
  };
}

describe("the terminal rendering of recorded conversations", () => {
  it("Claude Code: system prompt folded, tools listed, tool call and result, reasoning, the answer", async () => {
    const d = claudeCode();
    expect(d.conversation?.messages.length).toBeGreaterThan(2);
    const text = renderRequest(d, { colour: false, width: 100 });
    expect(text).not.toContain(ESC);
    expect(text).toContain("⚙ Read toolu_fake_5");
    expect(text).toContain("↳ result of toolu_fake_5");
    expect(text).toContain("(26,582 characters)");
    await expect(`${text}\n`).toMatchFileSnapshot("__snapshots__/claude-code.txt");
  });

  it("Cursor: tool calls with their JSON arguments, results cut short, no <think> tags", async () => {
    const d = cursor();
    const text = renderRequest(d, { colour: false, width: 100 });
    expect(text).toMatch(/… \d+ more lines/);
    expect(text).toContain('"target_file": "/home/gabri/componses/pyproject.toml"');
    expect(text).not.toContain("<think>");
    await expect(`${text}\n`).toMatchFileSnapshot("__snapshots__/cursor.txt");
  });

  it("colours only when asked for; the same text underneath", () => {
    const d = claudeCode();
    const plain = renderRequest(d, { colour: false, width: 100 });
    const coloured = renderRequest(d, { colour: true, width: 100 });
    expect(coloured).toMatch(SGR);
    expect(stripVTControlCharacters(coloured)).toBe(plain);
    // Colouring is per call: a plain render after a coloured one has none.
    expect(renderRequest(d, { colour: false, width: 100 })).toBe(plain);
  });

  it("Markdown is rendered and code highlighted", () => {
    const d = {
      ...ROW,
      conversation: {
        system: null,
        tools: [],
        messages: [
          {
            role: "user" as const,
            parts: [
              { type: "text" as const, text: "# Title\n\nSome **bold** words.\n\n```ts\nconst x: number = 1;\n```" },
            ],
          },
        ],
      },
      answer: null,
    };
    const plain = renderRequest(d, { colour: false, width: 100 });
    expect(plain).toContain("# Title");
    expect(plain).toContain("Some bold words.");
    expect(plain).not.toContain("**bold**");
    expect(plain).not.toContain("```");
    const coloured = renderRequest(d, { colour: true, width: 100 });
    // The keyword `const` is highlighted in the code block.
    expect(coloured).toMatch(new RegExp(`${ESC}\\[[0-9;]*mconst${ESC}\\[`));
  });
});

describe("llmux logs and the live view", () => {
  let where: TestLocation;
  let h: Harness;
  let stdout: string[];
  beforeAll(async () => {
    where = await freshSqlite();
    stdout = [];
    const real = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      if (text.includes("── req_")) stdout.push(text);
      return (real as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write);
    h = await startHarness(() => ({
      store: { path: where.path },
      admin: { keys: [ADMIN] },
      logging: { bodies: "all", conversations: true },
    }));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await h.close();
  });

  it("shows the latest requests from a running server and from the store; one request by id", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "Here is **the** answer:\n\n```js\nlet y = 2;\n```" }] });
    const sdk = new Anthropic({ apiKey: "unused", baseURL: h.url, maxRetries: 0 });
    await sdk.messages.create({
      model: "via-anthropic",
      max_tokens: 100,
      system: "Be brief.",
      messages: [{ role: "user", content: "Show me *some* code" }],
    });
    let id = "";
    for (let i = 0; i < 100 && !id; i++) {
      const r = await call(h.url, "GET", "/admin/v1/requests?limit=1", ADMIN);
      id = r.body.rows[0]?.id ?? "";
      if (!id) await new Promise((r) => setTimeout(r, 50));
    }
    expect(id).toMatch(/^req_/);
    const env = { LLMUX_ADMIN_KEY: ADMIN };
    const remote = await llmux(["logs", "--url", h.url, "-n", "5"], env);
    expect(remote.stderr).toBe("");
    expect(remote.code).toBe(0);
    expect(remote.stdout).toContain(`── ${id}`);
    expect(remote.stdout).toContain("▌ user");
    expect(remote.stdout).toContain("Show me some code");
    expect(remote.stdout).toContain("══ answer");
    expect(remote.stdout).toContain("let y = 2;");
    expect(remote.stdout).not.toContain(ESC);
    const coloured = await llmux(["logs", "--url", h.url, "--color", id], env);
    expect(coloured.stdout).toMatch(SGR);
    expect(stripVTControlCharacters(coloured.stdout)).toContain("Here is the answer:");
    // The store directly (no server needed), filtered.
    const config = join(where.path, "..", "llmux.yaml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(config, JSON.stringify({ store: { path: where.path }, logging: { level: "error" } }));
    const local = await llmux(["logs", "-c", config, "--model", "via-anthropic"]);
    expect(local.code).toBe(0);
    expect(local.stdout).toContain(`── ${id}`);
    expect((await llmux(["logs", "-c", config, "--model", "nothing-like-it"])).stdout).toBe("");
    const none = await llmux(["logs", "-c", config, "--key", "nobody"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no key named 'nobody'");
    // The same block was printed live on the server's stdout (logging.conversations).
    expect(stdout.some((s) => s.includes(`── ${id}`) && s.includes("Show me some code"))).toBe(true);
  }, 90_000);

  it("--follow --errors: the latest N failures, then each new one once, and nothing that succeeded", async () => {
    const chat = async (text: string, fail: boolean) => {
      if (fail) h.mock.enqueue({ httpError: { status: 500, message: `broke on ${text}` } });
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: text }] }),
      });
      await res.text();
      return res.headers.get("x-request-id")!;
    };
    const before = [
      await chat("old failure 1", true),
      await chat("old failure 2", true),
      await chat("old failure 3", true),
    ];
    // Written as they settle: wait until the last is in the log.
    for (let i = 0; i < 100; i++) {
      const r = await call(h.url, "GET", "/admin/v1/requests?limit=1", ADMIN);
      if (r.body.rows[0]?.id === before[2]) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const cli = spawn(
      process.execPath,
      [BIN, "logs", "--url", h.url, "--admin-key", ADMIN, "-f", "--errors", "-n", "2"],
      {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    cli.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    const shownIds = () => [...out.matchAll(/── (req_\w+)/g)].map((m) => m[1]!);
    // Until the CLI has printed what is awaited (its start is a process start: on a loaded machine, seconds).
    const until = async (ok: () => boolean) => {
      await expect.poll(ok, { timeout: 40_000, interval: 50 }).toBe(true);
    };
    try {
      // The latest two failures, oldest first.
      await until(() => shownIds().length >= 2);
      expect(shownIds()).toEqual([before[1], before[2]]);
      const ok = await chat("this one works", false);
      const later = [await chat("new failure 1", true), await chat("new failure 2", true)];
      await until(() => shownIds().length >= 4);
      await new Promise((r) => setTimeout(r, 2500));
      expect(shownIds()).toEqual([before[1], before[2], ...later]);
      expect(out).not.toContain(ok);
    } finally {
      cli.kill();
    }
  }, 60_000);
});
