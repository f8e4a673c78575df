/**
 * Recording (`logging.record`) and replay (`llmux mock --replay`): exchanges recorded through llmux
 * against the scripted mock, then replayed through llmux against `llmux mock --replay`, must give the
 * official SDK clients the same result; a planted key and a planted system prompt never reach the files.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { mock as mockCommand } from "../../src/cli/mock.js";
import { parseConfig } from "../../src/config/load.js";
import type { Dialect } from "../../src/ir/types.js";
import type { MockServer, MockTurn } from "../../src/mock/server.js";
import { Gateway } from "../../src/server/gateway.js";
import { startHarness, tempStorePath, upstreamsConfig } from "../support/gateway.js";
import { type Ask, consumeWithSdk, type Outcome } from "../support/sdk.js";

const FIXTURE_FILES = [
  "downstream_request.json",
  "downstream_response.sse",
  "upstream_request.json",
  "upstream_response.sse",
  "meta.json",
];

/** The calls a recording is made of: client dialect, alias, streaming, and what the mock answers. */
interface Call {
  client: Dialect;
  alias: string;
  stream: boolean;
  ask: Ask;
  turn: MockTurn;
}

const CALLS: Call[] = [
  {
    client: "openai-chat",
    alias: "via-anthropic",
    stream: true,
    ask: { prompt: "What is the weather in Paris?", tool: true },
    turn: {
      blocks: [
        { type: "text", text: "Let me look that up." },
        { type: "tool_call", name: "get_weather", arguments: '{"city":"Paris"}', id: "toolu_rec_1" },
      ],
    },
  },
  {
    client: "anthropic",
    alias: "via-azure-responses",
    stream: true,
    ask: { prompt: "Explain recursion briefly." },
    turn: {
      blocks: [
        { type: "reasoning", text: "The user wants a short answer.", summary: ["Keeping it short."] },
        { type: "text", text: "Recursion is a function calling itself.\n\n```js\nf = () => f();\n```" },
      ],
    },
  },
  {
    client: "openai-responses",
    alias: "via-openai-chat",
    stream: false,
    ask: { prompt: "Say hello in French." },
    turn: { blocks: [{ type: "text", text: "Bonjour ! Ça va ?" }] },
  },
  {
    client: "anthropic",
    alias: "via-anthropic",
    stream: false,
    ask: { prompt: "Count to three." },
    turn: { blocks: [{ type: "text", text: "One, two, three." }] },
  },
];

const baseUrl = (client: Dialect, url: string) => (client === "anthropic" || client === "gemini" ? url : `${url}/v1`);

/** A gateway in front of `upstream` (the upstreams of the test harness, all pointed at it). */
async function gatewayFor(upstream: string, extra: Record<string, unknown> = {}) {
  const base = upstreamsConfig(upstream);
  const config = parseConfig({ store: { path: tempStorePath() }, ...base, ...extra }, {});
  const gateway = new Gateway(config, pino({ level: "silent" }));
  const { port } = await gateway.listen(0, "127.0.0.1");
  return { gateway, url: `http://127.0.0.1:${port}` };
}

/** Makes CALLS through llmux against the scripted mock, recording into a new directory. */
async function record(keepText: boolean, calls: Call[] = CALLS): Promise<{ dir: string; outcomes: Outcome[] }> {
  const dir = mkdtempSync(join(tmpdir(), "llmux-rec-"));
  const h = await startHarness(() => ({ logging: { record: { dir, keep_text: keepText } } }));
  const outcomes: Outcome[] = [];
  try {
    for (const c of calls) {
      h.mock.enqueue(c.turn);
      outcomes.push(await consumeWithSdk(c.client, baseUrl(c.client, h.url), c.stream, { ...c.ask, model: c.alias }));
    }
  } finally {
    await h.close(); // writes what is pending
  }
  return { dir, outcomes };
}

/** Makes CALLS again through a fresh llmux whose upstream is `llmux mock --replay DIR`. */
async function replay(dir: string, reverse = false): Promise<Outcome[]> {
  const server = await mockCommand({ port: 0, replay: dir });
  const g = await gatewayFor(server.url);
  try {
    const outcomes: Outcome[] = [];
    const order = CALLS.map((_, i) => i);
    if (reverse) order.reverse();
    for (const i of order) {
      const c = CALLS[i]!;
      outcomes[i] = await consumeWithSdk(c.client, baseUrl(c.client, g.url), c.stream, { ...c.ask, model: c.alias });
    }
    return outcomes;
  } finally {
    await g.gateway.close();
    await server.close();
  }
}

function exchanges(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((n) => join(dir, n));
}

/** What the client got at recording time, read by the same SDK from the recorded downstream_response.sse. */
async function recordedOutcome(exchange: string, c: Call): Promise<Outcome> {
  const meta = JSON.parse(readFileSync(join(exchange, "meta.json"), "utf8")) as { content_type: string };
  const body = readFileSync(join(exchange, "downstream_response.sse"));
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": meta.content_type });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return await consumeWithSdk(c.client, baseUrl(c.client, url), c.stream, { ...c.ask, model: c.alias });
  } finally {
    server.close();
  }
}

let quiet: typeof console.log | undefined;
afterEach(() => {
  if (quiet) console.log = quiet;
  quiet = undefined;
});
/** `llmux mock` prints its banner; the test output does not need it. */
function silence(): void {
  quiet = console.log;
  console.log = () => undefined;
}

describe("recording through llmux", () => {
  it("writes one fixture folder per exchange, in the recorded-fixture layout", async () => {
    const { dir } = await record(true);
    const list = exchanges(dir);
    expect(list).toHaveLength(CALLS.length);
    for (const [i, ex] of list.entries()) {
      for (const f of FIXTURE_FILES) expect(existsSync(join(ex, f)), `${ex}/${f}`).toBe(true);
      const meta = JSON.parse(readFileSync(join(ex, "meta.json"), "utf8"));
      expect(meta.alias).toBe(CALLS[i]!.alias);
      expect(meta.client_dialect).toBe(CALLS[i]!.client);
      expect(meta.redacted).toBe(false);
      expect(meta.upstream.status).toBe(200);
      const request = JSON.parse(readFileSync(join(ex, "downstream_request.json"), "utf8"));
      expect(request.model).toBe(CALLS[i]!.alias);
      expect(JSON.stringify(request)).toContain(CALLS[i]!.ask.prompt!);
    }
    // The upstream stream is the mock's raw answer: Anthropic events for the Chat client's call.
    const first = readFileSync(join(list[0]!, "upstream_response.sse"), "utf8");
    expect(first).toContain("event: message_start");
    expect(first).toContain('"name":"get_weather"');
    expect(readFileSync(join(list[0]!, "downstream_response.sse"), "utf8")).toContain("data: [DONE]");
  });

  it("keeps no key and no planted system prompt, tool description or message text", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-rec-"));
    const SERVICE = "svc-planted-service-key-5c1f9a";
    const UPSTREAM = "sk-ant-planted-upstream-key-9f8e7d6c5b4a";
    const PASTED = "sk-proj-PlantedPastedKey0123456789abcdef";
    const SYSTEM = "PLANTED SYSTEM PROMPT: the launch code is 7291 ALPHA";
    const TOOL = "PLANTED TOOL DESCRIPTION: reads the vault";
    const h = await startHarness((url) => ({
      auth: { keys: [SERVICE] },
      providers: { anthropic: { type: "anthropic", base_url: url, api_key: UPSTREAM } },
      logging: { record: dir },
    }));
    try {
      const anthropic = new Anthropic({ apiKey: SERVICE, baseURL: h.url, maxRetries: 0 });
      for (const model of ["via-anthropic", "via-azure-responses"]) {
        h.mock.enqueue({ blocks: [{ type: "text", text: `The answer mentions ${PASTED} too.` }] });
        await anthropic.messages
          .stream({
            model,
            max_tokens: 50,
            system: SYSTEM,
            tools: [{ name: "vault", description: TOOL, input_schema: { type: "object", properties: {} } }],
            messages: [{ role: "user", content: `my key is ${PASTED}, keep it` }],
          })
          .finalMessage();
      }
      const openai = new OpenAI({ apiKey: SERVICE, baseURL: `${h.url}/v1`, maxRetries: 0 });
      await openai.chat.completions.create({
        model: "via-anthropic",
        messages: [
          { role: "system", content: SYSTEM },
          { role: "user", content: "hello there" },
        ],
      });
    } finally {
      await h.close();
    }
    const list = exchanges(dir);
    expect(list).toHaveLength(3);
    let all = "";
    for (const ex of list) for (const f of readdirSync(ex)) all += readFileSync(join(ex, f), "utf8");
    for (const planted of [SERVICE, UPSTREAM, PASTED, SYSTEM, TOOL, "7291", "launch code", "reads the", "hello there"])
      expect(all, planted).not.toContain(planted);
    // The placeholders keep the shape: the system prompt's length, spaces and punctuation.
    const req = JSON.parse(readFileSync(join(list[0]!, "downstream_request.json"), "utf8"));
    expect(req.system).toBe("XXXXXXX XXXXXX XXXXXX: xxx xxxxxx xxxx xx 0000 XXXXX");
    expect(req.system).toHaveLength(SYSTEM.length);
    expect(req.tools[0].name).toBe("vault");
    const meta = JSON.parse(readFileSync(join(list[0]!, "meta.json"), "utf8"));
    expect(meta.redacted).toBe(true);
  });
});

describe("replay through llmux mock --replay", () => {
  it("a recording with text kept replays to the same SDK results", async () => {
    silence();
    const { dir, outcomes } = await record(true);
    const again = await replay(dir);
    expect(again).toEqual(outcomes);
    expect(outcomes[0]!.toolCalls[0]).toMatchObject({ name: "get_weather", arguments: { city: "Paris" } });
    expect(outcomes[1]!.text).toContain("Recursion is a function calling itself.");
  });

  it("a redacted recording replays to what the client got at recording time, redacted", async () => {
    silence();
    const { dir, outcomes } = await record(false);
    // In reverse order: each request finds its recording by its (masked) content.
    const again = await replay(dir, true);
    const list = exchanges(dir);
    for (const [i, c] of CALLS.entries()) {
      expect(again[i]).toEqual(await recordedOutcome(list[i]!, c));
      // Masked text of the same shape; the tool call (name and arguments) as it was.
      expect(again[i]!.text).toHaveLength(outcomes[i]!.text.length);
      if (outcomes[i]!.text) expect(again[i]!.text).not.toBe(outcomes[i]!.text);
      expect(again[i]!.toolCalls).toEqual(outcomes[i]!.toolCalls);
      expect(again[i]!.stop).toBe(outcomes[i]!.stop);
    }
  });

  it("matches by the upstream request's content, whatever the order, and says when none is left", async () => {
    silence();
    const { dir, outcomes } = await record(true);
    // The same calls in reverse order: by content each still gets its own answer.
    const server = await mockCommand({ port: 0, replay: dir });
    const g = await gatewayFor(server.url);
    try {
      for (let i = CALLS.length - 1; i >= 0; i--) {
        const c = CALLS[i]!;
        const got = await consumeWithSdk(c.client, baseUrl(c.client, g.url), c.stream, { ...c.ask, model: c.alias });
        expect(got).toEqual(outcomes[i]);
      }
      // Every recording used: the next request is told so.
      const extra = await fetch(`${g.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "via-anthropic", max_tokens: 5, messages: [{ role: "user", content: "more" }] }),
      });
      expect(extra.status).toBe(500);
      expect(await extra.text()).toContain("no recorded exchange left");
    } finally {
      await g.gateway.close();
      await server.close();
    }
  });

  it("--match order serves the recordings in turn, whatever the requests say", async () => {
    silence();
    const two: Call[] = [
      {
        ...CALLS[3]!,
        ask: { prompt: "Count to three." },
        turn: { blocks: [{ type: "text", text: "One, two, three." }] },
      },
      { ...CALLS[3]!, ask: { prompt: "Name a colour." }, turn: { blocks: [{ type: "text", text: "Blue." }] } },
    ];
    const { dir, outcomes } = await record(true, two);
    for (const [match, want] of [
      ["order", ["One, two, three.", "Blue."]],
      [undefined, ["Blue.", "One, two, three."]],
    ] as const) {
      const mock: MockServer = await mockCommand({ port: 0, replay: dir, match });
      const g = await gatewayFor(mock.url);
      try {
        // The second call first: by order it gets the first answer; by content (auto) its own.
        const texts: string[] = [];
        for (const c of [two[1]!, two[0]!])
          texts.push(
            (await consumeWithSdk(c.client, baseUrl(c.client, g.url), c.stream, { ...c.ask, model: c.alias })).text,
          );
        expect(texts).toEqual(want);
      } finally {
        await g.gateway.close();
        await mock.close();
      }
    }
    expect(outcomes.map((o) => o.text)).toEqual(["One, two, three.", "Blue."]);
  });
});
