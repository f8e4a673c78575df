/**
 * A local stand-in for Amazon Bedrock (bedrock-runtime). Every call must carry a valid SigV4 signature,
 * which the fake recomputes on its own from AWS's documented algorithm (node:crypto, nothing shared with
 * llmux's signer): canonical request → string to sign → key derived from the secret, date, region and
 * service. It answers Converse / ConverseStream and InvokeModel(WithResponseStream) in the real framing:
 * JSON bodies, and AWS event streams encoded with AWS's own codec (Converse events with their `p` padding;
 * InvokeModel `chunk` events carrying Anthropic's SSE events, base64). Errors come as Bedrock sends them:
 * `x-amzn-errortype` and `{"message"}`, or exceptions inside the stream.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EventStreamCodec } from "@smithy/core/event-streams";
import type { MessageHeaders } from "@smithy/types";
import { anthropicBody, anthropicStream, type MockBlock, type MockScript } from "../../src/mock/index.js";
import { type AwsKey, signatureProblem } from "./sigv4-check.js";

export type { AwsKey } from "./sigv4-check.js";
export { signatureProblem } from "./sigv4-check.js";

export function makeAwsKey(session = false): AwsKey {
  return {
    accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64"),
    ...(session ? { sessionToken: `FwoGZXIvYXdzE${randomBytes(40).toString("base64")}` } : {}),
  };
}

export interface BedrockCall {
  /** The path as sent (the model id percent-encoded once). */
  path: string;
  model: string;
  action: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
  /** The access key the call was signed with. */
  signedBy: string;
}

export type BedrockReply =
  | { script: MockScript; streamException?: { afterBlocks: number; type: string; message: string } }
  | { status: number; type: string; message: string };

export interface BedrockFake {
  url: string;
  region: string;
  calls: BedrockCall[];
  /** Signature failures, with the reason. */
  refused: string[];
  keys: AwsKey[];
  /** Bedrock API keys (bearer tokens) the fake accepts instead of a signature. */
  apiKeys: string[];
  enqueue(...replies: BedrockReply[]): void;
  /** Drops the replies still queued. */
  reset(): void;
  close(): Promise<void>;
}

// ---- Bedrock's answers ----

const codec = new EventStreamCodec(
  (b: Uint8Array) => Buffer.from(b).toString("utf8"),
  (s: string) => Buffer.from(s, "utf8"),
);

function str(value: string) {
  return { type: "string" as const, value };
}

/** Bedrock pads every event payload (`p`) so that sizes do not reveal the text. */
function pad(payload: Record<string, unknown>): string {
  return JSON.stringify({
    ...payload,
    p: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ".slice(0, 5 + (JSON.stringify(payload).length % 30)),
  });
}

function eventMessage(type: string, payload: Record<string, unknown>): Uint8Array {
  const headers: MessageHeaders = {
    ":event-type": str(type),
    ":content-type": str("application/json"),
    ":message-type": str("event"),
  };
  return codec.encode({ headers, body: Buffer.from(pad(payload)) });
}

function exceptionMessage(type: string, message: string): Uint8Array {
  const headers: MessageHeaders = {
    ":exception-type": str(type),
    ":content-type": str("application/json"),
    ":message-type": str("exception"),
  };
  return codec.encode({ headers, body: Buffer.from(JSON.stringify({ message })) });
}

function pieces(text: string, n: number): string[] {
  const out: string[] = [];
  const cps = Array.from(text);
  for (let i = 0; i < cps.length; i += n) out.push(cps.slice(i, i + n).join(""));
  return out;
}

const STOP: Record<string, string> = {
  end_turn: "end_turn",
  tool_use: "tool_use",
  max_tokens: "max_tokens",
  stop_sequence: "stop_sequence",
  content_filter: "guardrail_intervened",
};

/** A script as the ConverseStream events Bedrock sends for it. */
export function converseEvents(script: MockScript): { type: string; payload: Record<string, unknown> }[] {
  const n = script.chunkChars ?? 8;
  const out: { type: string; payload: Record<string, unknown> }[] = [
    { type: "messageStart", payload: { role: "assistant" } },
  ];
  script.blocks.forEach((b: MockBlock, i) => {
    const at = { contentBlockIndex: i };
    if (b.type === "text" || b.type === "refusal")
      for (const p of pieces(b.text, n))
        out.push({ type: "contentBlockDelta", payload: { ...at, delta: { text: p } } });
    else if (b.type === "reasoning") {
      for (const p of pieces(b.text, n))
        out.push({ type: "contentBlockDelta", payload: { ...at, delta: { reasoningContent: { text: p } } } });
      out.push({
        type: "contentBlockDelta",
        payload: { ...at, delta: { reasoningContent: { signature: b.signature ?? "c2ln" } } },
      });
    } else if (b.type === "redacted_reasoning")
      out.push({
        type: "contentBlockDelta",
        payload: { ...at, delta: { reasoningContent: { redactedContent: b.data } } },
      });
    else {
      out.push({
        type: "contentBlockStart",
        payload: { ...at, start: { toolUse: { toolUseId: b.id ?? `tooluse_${i}`, name: b.name } } },
      });
      for (const p of pieces(b.arguments, n))
        out.push({ type: "contentBlockDelta", payload: { ...at, delta: { toolUse: { input: p } } } });
    }
    out.push({ type: "contentBlockStop", payload: at });
  });
  const hasTool = script.blocks.some((b) => b.type === "tool_call");
  out.push({ type: "messageStop", payload: { stopReason: STOP[script.stop ?? (hasTool ? "tool_use" : "end_turn")] } });
  out.push({ type: "metadata", payload: { usage: converseUsage(script), metrics: { latencyMs: 123 } } });
  return out;
}

function converseUsage(script: MockScript): Record<string, number> {
  const u = script.usage ?? { input: 10, output: 5 };
  const read = u.cacheRead ?? 0;
  const write = u.cacheWrite ?? 0;
  const usage: Record<string, number> = {
    inputTokens: u.input - read - write,
    outputTokens: u.output,
    totalTokens: u.input + u.output,
  };
  if (read) usage.cacheReadInputTokens = read;
  if (write) usage.cacheWriteInputTokens = write;
  return usage;
}

/** A script as a whole Converse response. */
export function converseBody(script: MockScript): Record<string, unknown> {
  const content = script.blocks.map((b) => {
    if (b.type === "text" || b.type === "refusal") return { text: b.text };
    if (b.type === "reasoning")
      return { reasoningContent: { reasoningText: { text: b.text, signature: b.signature ?? "c2ln" } } };
    if (b.type === "redacted_reasoning") return { reasoningContent: { redactedContent: b.data } };
    return { toolUse: { toolUseId: b.id ?? "tooluse_0", name: b.name, input: JSON.parse(b.arguments) as unknown } };
  });
  const hasTool = script.blocks.some((b) => b.type === "tool_call");
  return {
    output: { message: { role: "assistant", content } },
    stopReason: STOP[script.stop ?? (hasTool ? "tool_use" : "end_turn")],
    usage: converseUsage(script),
    metrics: { latencyMs: 123 },
  };
}

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    "x-amzn-requestid": randomBytes(16).toString("hex"),
  });
  res.end(JSON.stringify({ message }));
}

/** Why a Converse body would be refused (undefined: it would not). */
function converseProblem(body: Record<string, unknown>): string | undefined {
  if ("model" in body) return "extraneous key [model] is not permitted";
  const messages = body.messages as { role: string; content: Record<string, unknown>[] }[] | undefined;
  if (!Array.isArray(messages) || messages.length === 0) return "messages is required";
  if (messages[0]!.role !== "user") return "A conversation must start with a user message.";
  let toolBlocks = false;
  for (const [i, m] of messages.entries()) {
    if (i > 0 && messages[i - 1]!.role === m.role)
      return "A conversation must alternate between user and assistant roles.";
    for (const b of m.content) {
      const keys = Object.keys(b);
      if (keys.length !== 1) return `messages.${i}: a content block has ${keys.length} members`;
      if (keys[0] === "toolUse" || keys[0] === "toolResult") toolBlocks = true;
      if (keys[0] === "text" && String(b.text).trim() === "" && m.role === "user")
        return `The text field in the ContentBlock object at messages.${i} is blank.`;
    }
  }
  if (toolBlocks && !body.toolConfig)
    return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
  return undefined;
}

/** Why an InvokeModel body for Claude would be refused. */
function invokeProblem(body: Record<string, unknown>): string | undefined {
  if (body.anthropic_version !== "bedrock-2023-05-31") return `anthropic_version: ${String(body.anthropic_version)}`;
  for (const k of ["model", "stream"]) if (k in body) return `extraneous key [${k}] is not permitted`;
  return undefined;
}

export async function startBedrockFake(region = "us-east-1"): Promise<BedrockFake> {
  const queue: BedrockReply[] = [];
  const fake: BedrockFake = {
    url: "",
    region,
    calls: [],
    refused: [],
    keys: [],
    apiKeys: [],
    enqueue: (...r) => queue.push(...r),
    reset: () => {
      queue.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a stalled request (a hung token endpoint) must not hold the close
      }),
  };
  const server = createServer(async (req, res) => {
    const raw = await read(req);
    const rawPath = req.url ?? "/";
    const sig = signatureProblem(req.method ?? "", rawPath, req.headers, raw, fake.keys, region, "bedrock");
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const apiKey = bearer !== undefined && fake.apiKeys.includes(bearer);
    if (sig.problem && !apiKey) {
      fake.refused.push(sig.problem);
      awsError(
        res,
        403,
        sig.problem.startsWith("unknown access key") ? "UnrecognizedClientException" : "InvalidSignatureException",
        sig.problem,
      );
      return;
    }
    const m = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/.exec(rawPath);
    if (!m) {
      awsError(res, 404, "UnknownOperationException", `no operation at ${rawPath}`);
      return;
    }
    const model = decodeURIComponent(m[1]!);
    const action = m[2]!;
    const body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    fake.calls.push({
      path: rawPath,
      model,
      action,
      headers: req.headers,
      body,
      signedBy: apiKey ? "api-key" : sig.key!.accessKeyId,
    });
    const problem = action.startsWith("invoke") ? invokeProblem(body) : converseProblem(body);
    if (problem) {
      awsError(res, 400, "ValidationException", problem);
      return;
    }
    const reply = queue.shift();
    if (!reply) {
      awsError(res, 500, "InternalServerException", "the fake has no reply queued");
      return;
    }
    if (!("script" in reply)) {
      awsError(res, reply.status, reply.type, reply.message);
      return;
    }
    const { script, streamException } = reply;
    if (action === "converse") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(converseBody(script)));
      return;
    }
    if (action === "invoke") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(anthropicBody(script)));
      return;
    }
    res.writeHead(200, {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-bedrock-content-type": "application/json",
    });
    if (action === "converse-stream") {
      let blocks = 0;
      for (const e of converseEvents(script)) {
        if (streamException && blocks >= streamException.afterBlocks) {
          res.write(exceptionMessage(streamException.type, streamException.message));
          res.end();
          return;
        }
        res.write(eventMessage(e.type, e.payload));
        if (e.type === "contentBlockStop") blocks++;
      }
    } else {
      let blocks = 0;
      for (const sse of anthropicStream(script)) {
        const data = /^data: (.*)$/m.exec(sse)?.[1];
        if (!data) continue;
        if (streamException && blocks >= streamException.afterBlocks) {
          res.write(exceptionMessage(streamException.type, streamException.message));
          res.end();
          return;
        }
        res.write(eventMessage("chunk", { bytes: Buffer.from(data).toString("base64") }));
        if ((JSON.parse(data) as { type?: string }).type === "content_block_stop") blocks++;
      }
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  return fake;
}
