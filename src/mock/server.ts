import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { anthropicBody, anthropicStream } from "./emit-anthropic.js";
import { chatBody, chatStream } from "./emit-chat.js";
import { geminiBody, geminiErrorBody, geminiStream } from "./emit-gemini.js";
import { responsesBody, responsesStream } from "./emit-responses.js";
import { providerErrorBody } from "./errors.js";
import { type CapApi, capScript, outputCapOf } from "./max-tokens.js";
import type { ChatFlavour, MockScript } from "./script.js";
import { Issued, validate } from "./validate.js";

/** The wire dialect (and provider) a mock endpoint speaks. */
type Endpoint =
  | { api: "anthropic" }
  | { api: "anthropic-count" }
  | { api: "chat"; provider: "openai" | "azure"; flavour: ChatFlavour }
  | { api: "responses"; provider: "openai" | "azure" }
  | { api: "gemini"; model: string; stream: boolean }
  | { api: "gemini-count" };

/** A scripted answer, with optional conditions and checks on the request that receives it. */
export interface MockTurn extends Omit<MockScript, "blocks"> {
  /** What the model says (not needed with `raw` or `httpError`). */
  blocks?: MockScript["blocks"];
  /** Only a request for this model takes this turn. */
  match?: { model?: string };
  /** Answer with this HTTP error instead of a response. */
  httpError?: { status: number; message: string; retryAfter?: string };
  /**
   * Checks on the request: every string must occur in the raw request body (use the JSON-escaped form
   * for text). A failed check answers 400 with `mock expectation failed` and the reason.
   */
  expect?: { contains?: string[]; absent?: string[] };
  /** Milliseconds before the response headers. */
  latencyMs?: number;
  /** Milliseconds between stream events. */
  chunkDelayMs?: number;
  /** Chat flavour for this turn (merged over the endpoint's). */
  flavour?: ChatFlavour;
  /** Answer with exactly these bytes as an event stream (a recorded provider stream). */
  raw?: string;
  /** The status and content type `raw` is answered with (default 200, an event stream). */
  rawStatus?: number;
  rawType?: string;
}

export interface MockRequest {
  method: string;
  path: string;
  /** Path with its query string. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  raw: string;
  /** Why the request was refused (a failed expectation), if it was. */
  failure?: string;
  /** When the client closed the connection, if it did before the answer finished (ms since epoch). */
  closedAt?: number;
}

/** Requests a mock keeps for a test to read, by default (the latest). */
export const MOCK_KEPT_REQUESTS = 10_000;

export interface MockServerOptions {
  port?: number;
  /**
   * How many of the latest requests `requests` keeps (default MOCK_KEPT_REQUESTS): a long-lived mock (`llmux
   * mock`, the fuzz suite's gateway) keeps none, as nothing reads them, instead of every body it was sent.
   */
  keepRequests?: number;
  host?: string;
  latencyMs?: number;
  chunkDelayMs?: number;
  /**
   * The answer when no turn is queued; default: an echo of the last user message. It sees the request (path,
   * headers), so a test can script an upstream by rules (a 401 for a key, a 400 for a setting).
   */
  fallback?: (body: unknown, request: MockRequest) => MockTurn;
  /**
   * Enforce the providers' rules on reasoning state and tool pairing (src/mock/validate.ts): opaque state
   * must be state this mock issued, calls and results must pair, thinking must open the tool loop.
   */
  validate?: boolean;
  /** Answers a request before the queue is asked (`llmux mock --replay`: recorded answers). */
  answer?: (req: MockRequest) => MockTurn | undefined;
  /**
   * The echo's input tokens estimated from the request (a token per four bytes of its body, as the
   * count_tokens endpoints answer) instead of 10 for any prompt: `llmux mock`, where budgets are tried.
   */
  promptTokens?: boolean;
}

export interface MockServer {
  url: string;
  port: number;
  /** Queues scripted turns (answered in order, each by the first request it matches). */
  enqueue(...turns: MockTurn[]): void;
  /** The requests received, in order: the latest `keepRequests` of them. */
  readonly requests: MockRequest[];
  reset(): void;
  close(): Promise<void>;
  server: Server;
}

const GEMINI = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;

function endpointOf(path: string): Endpoint | undefined {
  const g = GEMINI.exec(path);
  if (g) {
    if (g[2] === "countTokens") return { api: "gemini-count" };
    return { api: "gemini", model: decodeURIComponent(g[1]!), stream: g[2] === "streamGenerateContent" };
  }
  if (path === "/v1/messages") return { api: "anthropic" };
  if (path === "/v1/messages/count_tokens") return { api: "anthropic-count" };
  if (path === "/v1/chat/completions") return { api: "chat", provider: "openai", flavour: {} };
  if (path === "/v1/responses") return { api: "responses", provider: "openai" };
  if (path === "/openai/v1/responses" || path === "/openai/responses") return { api: "responses", provider: "azure" };
  if (path === "/openai/v1/chat/completions" || /^\/openai\/deployments\/[^/]+\/chat\/completions$/.test(path)) {
    return { api: "chat", provider: "azure", flavour: { azure: true } };
  }
  // OpenAI-compatible vendors: /compat/v1/… answers with reasoning_content (DeepSeek, Kimi), /openrouter/v1/… with reasoning.
  if (path === "/compat/v1/chat/completions")
    return { api: "chat", provider: "openai", flavour: { reasoningField: "reasoning_content" } };
  if (path === "/openrouter/v1/chat/completions")
    return { api: "chat", provider: "openai", flavour: { reasoningField: "reasoning" } };
  return undefined;
}

function lastUserText(body: unknown): string {
  if (!body || typeof body !== "object") return "";
  const contents = (body as { contents?: unknown }).contents;
  if (Array.isArray(contents)) {
    for (let i = contents.length - 1; i >= 0; i--) {
      const c = contents[i] as { role?: string; parts?: { text?: string; thought?: boolean }[] };
      if (c?.role === "model" || !Array.isArray(c?.parts)) continue;
      const text = c.parts.map((p) => (typeof p?.text === "string" && !p.thought ? p.text : "")).join("");
      if (text) return text;
    }
    return "";
  }
  const b = body as { messages?: unknown; input?: unknown };
  const list = Array.isArray(b.messages)
    ? b.messages
    : Array.isArray(b.input)
      ? b.input
      : typeof b.input === "string"
        ? [{ role: "user", content: b.input }]
        : [];
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i] as { role?: string; content?: unknown };
    if (m?.role !== "user") continue;
    if (typeof m.content === "string") return m.content;
    if (Array.isArray(m.content)) {
      const text = m.content
        .map((p: { type?: string; text?: string }) =>
          p && (p.type === "text" || p.type === "input_text") ? (p.text ?? "") : "",
        )
        .join("");
      if (text) return text;
    }
  }
  return "";
}

function echo(body: unknown): MockScript {
  const said = lastUserText(body);
  return { blocks: [{ type: "text", text: said ? `mock: ${said}` : "mock: hello" }] };
}

/** The API whose output cap field a model endpoint reads. */
const capApiOf = (ep: Endpoint): CapApi =>
  ep.api === "chat" || ep.api === "responses" || ep.api === "gemini" ? ep.api : "anthropic";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function render(
  ep: Endpoint,
  script: MockScript,
  stream: boolean,
  flavour: ChatFlavour,
): { events?: string[]; body?: unknown } {
  switch (ep.api) {
    case "anthropic":
      return stream ? { events: anthropicStream(script) } : { body: anthropicBody(script) };
    case "chat":
      return stream ? { events: chatStream(script, flavour) } : { body: chatBody(script, flavour) };
    case "responses":
      return stream ? { events: responsesStream(script) } : { body: responsesBody(script) };
    case "gemini":
      return stream ? { events: geminiStream(script) } : { body: geminiBody(script) };
    default:
      return { body: {} };
  }
}

/**
 * A scripted upstream that speaks Anthropic, OpenAI Chat (plain, Azure and OpenAI-compatible flavours) and
 * OpenAI Responses (OpenAI and Azure paths). Tests queue turns and inspect what it received; the benchmark
 * uses its pacing options.
 */
export async function startMockServer(opts: MockServerOptions = {}): Promise<MockServer> {
  const queue: MockTurn[] = [];
  const requests: MockRequest[] = [];
  const issued = new Issued();

  const take = (model: unknown): MockTurn | undefined => {
    const i = queue.findIndex((t) => !t.match?.model || t.match.model === model);
    return i === -1 ? undefined : queue.splice(i, 1)[0];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0]!;
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const record: MockRequest = {
      method: req.method ?? "GET",
      path,
      url: req.url ?? path,
      headers: req.headers,
      body,
      raw,
    };
    const keep = opts.keepRequests ?? MOCK_KEPT_REQUESTS;
    if (keep > 0) {
      requests.push(record);
      if (requests.length > keep) requests.splice(0, requests.length - keep);
    }
    res.on("close", () => {
      if (!res.writableFinished) record.closedAt = Date.now();
    });
    const ep = req.method === "POST" ? endpointOf(path) : undefined;
    if (!ep) {
      res.writeHead(req.method === "HEAD" || path === "/" ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify(path === "/" ? { mock: true } : { error: { message: `mock: no endpoint ${path}` } }));
      return;
    }
    if (ep.api === "anthropic-count" || ep.api === "gemini-count") {
      const tokens = Math.ceil(raw.length / 4);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(ep.api === "gemini-count" ? { totalTokens: tokens } : { input_tokens: tokens }));
      return;
    }
    const model = ep.api === "gemini" ? ep.model : (body as { model?: unknown } | undefined)?.model;
    const turn: MockTurn = opts.answer?.(record) ??
      take(model) ?? {
        ...(opts.fallback ?? echo)(body, record),
        ...(opts.promptTokens && !opts.fallback ? { inputTokens: Math.max(1, Math.ceil(raw.length / 4)) } : {}),
      };
    const latency = turn.latencyMs ?? opts.latencyMs ?? 0;
    const delay = turn.chunkDelayMs ?? opts.chunkDelayMs ?? 0;
    const provider = ep.api === "anthropic" ? "anthropic" : ep.api === "gemini" ? "gemini" : ep.provider;
    const errorBody = (status: number, message: string): object =>
      provider === "gemini" ? geminiErrorBody(status, message) : providerErrorBody(provider, status, message);

    for (const s of turn.expect?.contains ?? []) {
      if (!raw.includes(s)) record.failure = `request body does not contain ${JSON.stringify(s.slice(0, 120))}`;
    }
    for (const s of turn.expect?.absent ?? []) {
      if (raw.includes(s)) record.failure = `request body contains ${JSON.stringify(s.slice(0, 120))}`;
    }
    if (!record.failure && opts.validate) {
      const api =
        ep.api === "anthropic" || ep.api === "gemini"
          ? ep.api
          : ep.api === "responses"
            ? "responses"
            : ep.flavour.reasoningField === "reasoning_content"
              ? "compat"
              : "chat";
      const refusal = validate(api, body, issued, typeof model === "string" ? model : "");
      if (refusal) record.failure = `provider rule: ${refusal}`;
    }
    if (record.failure) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          errorBody(
            400,
            record.failure.startsWith("provider rule: ")
              ? record.failure.slice(15)
              : `mock expectation failed: ${record.failure}`,
          ),
        ),
      );
      return;
    }
    // Like the provider, an output cap that is not a positive integer is refused before anything is answered.
    const cap = outputCapOf(capApiOf(ep), body);
    if ("invalid" in cap && !turn.httpError && turn.raw === undefined) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify(errorBody(400, `${cap.invalid}: must be a positive integer`)));
      return;
    }
    if (latency > 0) await sleep(latency);
    if (turn.httpError) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (turn.httpError.retryAfter) headers["retry-after"] = turn.httpError.retryAfter;
      res.writeHead(turn.httpError.status, headers);
      res.end(JSON.stringify(errorBody(turn.httpError.status, turn.httpError.message)));
      return;
    }
    if (turn.raw !== undefined) {
      res.writeHead(turn.rawStatus ?? 200, {
        "content-type": turn.rawType ?? "text/event-stream",
        "cache-control": "no-cache",
      });
      res.end(turn.raw);
      return;
    }
    const stream = ep.api === "gemini" ? ep.stream : (body as { stream?: unknown } | undefined)?.stream === true;
    const flavour = ep.api === "chat" ? { ...ep.flavour, ...turn.flavour } : {};
    const script: MockScript = { ...turn, blocks: turn.blocks ?? [] };
    const out = render(ep, "max" in cap ? capScript(script, cap.max) : script, stream, flavour);
    issued.record(out.events ? out.events.join("") : JSON.stringify(out.body));
    for (const b of turn.blocks ?? []) if (b.type === "reasoning") issued.recordText(b.text);
    if (!out.events) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(out.body));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    for (const ev of out.events) {
      if (res.destroyed) return;
      if (delay > 0) await sleep(delay);
      if (!res.write(ev)) await new Promise((r) => res.once("drain", r));
    }
    res.end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `mock failure: ${(err as Error).message}` } }));
    });
  });
  server.keepAliveTimeout = 75_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    port,
    server,
    requests,
    enqueue: (...turns) => {
      queue.push(...turns);
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
