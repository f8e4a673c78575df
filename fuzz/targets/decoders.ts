/**
 * The decoders called in process, many thousands of inputs a second: request bodies of every client dialect,
 * answers and streams of every upstream dialect, content-codings, OTLP exports, MCP results. What each may
 * throw is what the caller turns into a 4xx (or, for an upstream's answer, a 502); anything else is a finding.
 */
import fc from "fast-check";
import { SERVER_DEFAULTS } from "../../src/config/schema-server.js";
import type { SigninSession } from "../../src/data/signin.js";
import { decodeJson } from "../../src/http/decode-json.js";
import { InflateRefused, inflateBody } from "../../src/http/inflate.js";
import { textBound } from "../../src/http/json-containers.js";
import { InputError } from "../../src/ir/input-error.js";
import type { Dialect, Json as IrJson, UpstreamDialect } from "../../src/ir/types.js";
import { Warnings } from "../../src/ir/warnings.js";
import { resultProblem } from "../../src/mcp/result-bounds.js";
import { scrubbed } from "../../src/mcp/scrub.js";
import { webHistory } from "../../src/pipeline/web-tools-history.js";
import { planWebTools } from "../../src/pipeline/web-tools-plan.js";
import { stampExport, TelemetryRefused } from "../../src/signin/telemetry.js";
import { codecs, upstreamCodecs } from "../../src/translate/codecs.js";
import { StreamTranslator } from "../../src/translate/stream-translator.js";
import { answerTextBound } from "../../src/upstream/screen.js";
import { codingStack, encodedBody } from "../codings.js";
import { bytesMutant, chunked, cuts, type Json, jsonMutant } from "../mutate.js";
import { harnessWork } from "../run.js";
import { answerSeeds, ROUTE_SEEDS } from "../seeds.js";
import { type Target, unexpected } from "../target.js";
import { largeBodies } from "./large-bodies.js";
import { searchTargets } from "./search.js";

const DIALECTS: Dialect[] = ["openai-chat", "openai-responses", "anthropic", "gemini"];
const UPSTREAMS: UpstreamDialect[] = [...DIALECTS, "bedrock-converse"];

function dialectOfPath(path: string): Dialect {
  if (path.includes("/chat/completions")) return "openai-chat";
  if (path.includes("/responses")) return "openai-responses";
  if (path.includes("/v1beta/")) return "gemini";
  return "anthropic";
}

/** The largest body llmux reads by default (`server.body_limit_mb`): a larger one is a 413 before any decoding. */
const BODY_LIMIT = SERVER_DEFAULTS.body_limit_mb * 1024 * 1024;

/**
 * A client's request body: parsed as the read stage parses it, decoded, then written for every upstream. Mutants
 * repeated inside each other can pass the body limit (a 41 MB body of 2.5 million values took 1.3 s of CPU to
 * parse in the long run): llmux refuses those before reading them (413, read-body.ts), so they are not decoded.
 */
export const inboundDecoders: Target<{ dialect: Dialect; body: string }> = {
  name: "inbound-decoders",
  level: "decoder",
  input: fc.oneof(
    ...DIALECTS.map((dialect) =>
      jsonMutant(ROUTE_SEEDS.filter((s) => dialectOfPath(s.path) === dialect).map((s) => s.body)).map((body) => ({
        dialect,
        body,
      })),
    ),
  ),
  async run({ dialect, body }) {
    const raw = Buffer.from(body);
    if (raw.length > BODY_LIMIT) return undefined;
    const decoded = decodeJson(raw);
    if (!decoded.ok) return decoded.error.status < 500 ? undefined : `decodeJson answered ${decoded.error.status}`;
    try {
      const ir = codecs[dialect].decodeRequest(decoded.json);
      // Each encoder gets its own copy (llmux encodes a request once: the copies are the fuzzer's own work).
      for (const up of UPSTREAMS) upstreamCodecs[up].encodeRequest(harnessWork(() => structuredClone(ir)));
      // The web tools llmux runs itself: declared as functions, the blocks sent back made calls and results.
      for (const up of UPSTREAMS) {
        const copy = harnessWork(() => structuredClone(ir));
        planWebTools(copy, up, { search: true, fetch: true }, new Warnings());
        webHistory(copy, up);
        upstreamCodecs[up].encodeRequest(copy);
      }
      return undefined;
    } catch (err) {
      return unexpected(err, InputError);
    }
  },
  describe: ({ dialect, body }) => `${dialect} ${body.slice(0, 400)}`,
};

const CONVERSE_SEED =
  'event: messageStart\ndata: {"role":"assistant"}\n\nevent: contentBlockDelta\ndata: {"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"t"}}}\n\nevent: contentBlockStop\ndata: {"contentBlockIndex":0}\n\nevent: contentBlockDelta\ndata: {"contentBlockIndex":1,"delta":{"text":"hi"}}\n\nevent: contentBlockStart\ndata: {"contentBlockIndex":2,"start":{"toolUse":{"toolUseId":"t","name":"f"}}}\n\nevent: contentBlockDelta\ndata: {"contentBlockIndex":2,"delta":{"toolUse":{"input":"{\\"a\\":1}"}}}\n\nevent: contentBlockStop\ndata: {"contentBlockIndex":2}\n\nevent: messageStop\ndata: {"stopReason":"tool_use"}\n\nevent: metadata\ndata: {"usage":{"inputTokens":3,"outputTokens":2}}\n\n';

function sseSeeds(up: UpstreamDialect): Buffer[] {
  if (up === "bedrock-converse") return [Buffer.from(CONVERSE_SEED)];
  return answerSeeds()[up].sse.map((s) => Buffer.from(s));
}

/** An upstream's stream, mutated, cut in pieces, through the stream translator to every client dialect. */
export const upstreamStreams: Target<{ up: UpstreamDialect; client: Dialect; body: Buffer; at: number[] }> = {
  name: "upstream-streams",
  level: "decoder",
  input: fc.constantFrom(...UPSTREAMS).chain((up) =>
    fc.record({
      up: fc.constant(up),
      client: fc.constantFrom(...DIALECTS),
      body: bytesMutant(sseSeeds(up)),
      at: cuts,
    }),
  ),
  async run({ up, client, body, at }) {
    // A stream that fails is answered with the in-stream error (a 502 before the first byte): any Error is.
    try {
      const t = new StreamTranslator(up, client, { encode: { model: "m", includeUsage: true } });
      for (const piece of chunked(body, at)) t.push(piece);
      t.end();
      return undefined;
    } catch (err) {
      return err instanceof Error ? undefined : unexpected(err);
    }
  },
  describe: ({ up, client, body }) => `${up} → ${client}: ${body.toString("utf8").slice(0, 400)}`,
};

/** An upstream's whole answer, mutated: decoded, then written for every client dialect. */
export const upstreamAnswers: Target<{ up: Exclude<UpstreamDialect, "bedrock-converse">; body: string }> = {
  name: "upstream-answers",
  level: "decoder",
  input: fc.oneof(
    ...DIALECTS.map((up) =>
      jsonMutant(answerSeeds()[up].json).map((body) => ({
        up: up as Exclude<UpstreamDialect, "bedrock-converse">,
        body,
      })),
    ),
  ),
  async run({ up, body }) {
    let json: IrJson;
    // As llmux reads a whole answer (upstream/screen.ts): more arrays and objects, or values, than a request body
    // may hold are a 502 before parsing.
    if (textBound(body) !== undefined)
      return answerTextBound(body) === undefined ? "an answer past a request body's bounds would be parsed" : undefined;
    try {
      json = JSON.parse(body) as IrJson;
    } catch {
      return undefined;
    }
    try {
      const ir = upstreamCodecs[up].decodeResponse(json);
      for (const d of DIALECTS) codecs[d].encodeResponse(ir, { model: "m" });
      return undefined;
    } catch (err) {
      return err instanceof Error ? undefined : unexpected(err);
    }
  },
  describe: ({ up, body }) => `${up}: ${body.slice(0, 400)}`,
};

const CAP = 1024 * 1024;

/** A body under a stack of content-codings (some corrupted, some lying about what they are), inflated. */
export const contentCodings: Target<{ raw: Buffer; header: string }> = {
  name: "content-codings",
  level: "decoder",
  // Inflating runs on the thread pool (zstd on a thread of its own): a few at once, as requests come.
  parallel: 4,
  input: encodedBody,
  async run({ raw, header }) {
    try {
      const out = await inflateBody(raw, header, CAP);
      return out.length > CAP ? `inflated ${out.length} bytes past the ${CAP} cap` : undefined;
    } catch (err) {
      if (err instanceof InflateRefused)
        return err.info.status >= 500 && err.info.status !== 503 ? `answered ${err.info.status}` : undefined;
      return unexpected(err);
    }
  },
  describe: ({ raw, header }) => `content-encoding: ${header}; ${raw.length} bytes`,
};

/** An OTLP protobuf field: tag, then a varint or a length-delimited payload. */
function pb(no: number, payload: Buffer | string | number): Buffer {
  const varint = (n: number) => {
    const out: number[] = [];
    while (n > 127) {
      out.push((n & 127) | 128);
      n >>>= 7;
    }
    out.push(n);
    return Buffer.from(out);
  };
  if (typeof payload === "number") return Buffer.concat([varint(no << 3), varint(payload)]);
  const b = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  return Buffer.concat([varint((no << 3) | 2), varint(b.length), b]);
}

const attr = (k: string, v: string) => pb(1, Buffer.concat([pb(1, k), pb(2, pb(1, v))]));
const span = pb(
  1,
  Buffer.concat([pb(1, Buffer.alloc(16, 1)), pb(2, Buffer.alloc(8, 2)), pb(5, "claude_code.request"), pb(7, 1)]),
);
const PROTOBUF_SEED = Buffer.concat([
  pb(
    1,
    Buffer.concat([
      pb(1, Buffer.concat([attr("service.name", "claude-code"), attr("user.email", "forged@x")])),
      pb(2, span),
    ]),
  ),
  pb(1, Buffer.concat([pb(1, attr("service.name", "other")), pb(2, span)])),
]);
const JSON_SEED: Json = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: "claude-code" } }] },
      scopeSpans: [{ spans: [{ traceId: "01", spanId: "02", name: "x" }] }],
    },
  ],
};

const SESSION: SigninSession = {
  id: "sis_1",
  subject: "sub",
  email: "dev@example.com",
  name: null,
  groups: [],
  teamId: null,
  surface: null,
  userAgent: null,
  accessExpiresAt: 0,
  createdAt: 0,
  refreshedAt: 0,
  expiresAt: 0,
  revokedAt: null,
  idpTokens: null,
  team: undefined,
};

/** The telemetry relay's decoding: an OTLP export (protobuf or JSON, compressed or not) stamped with who sent it. */
export const telemetryExports: Target<{
  raw: Buffer;
  json: boolean;
  coding: string;
  signal: "metrics" | "logs" | "traces";
}> = {
  name: "telemetry-exports",
  level: "decoder",
  parallel: 4,
  input: fc
    .record({
      json: fc.boolean(),
      body: fc.tuple(bytesMutant([PROTOBUF_SEED]), jsonMutant([JSON_SEED])),
      stack: codingStack,
      signal: fc.constantFrom("metrics" as const, "logs" as const, "traces" as const),
    })
    .map(({ json, body, stack, signal }) => {
      const plain = json ? Buffer.from(body[1]) : body[0];
      return { raw: stack.encode(plain), json, coding: stack.header, signal };
    }),
  async run({ raw, json, coding, signal }) {
    try {
      await stampExport(raw, signal, json ? "application/json" : "application/x-protobuf", coding, SESSION);
      // An export past a request body's bounds is refused before it is parsed (signin/telemetry.ts).
      if (json && !coding && textBound(raw.toString("utf8")) !== undefined)
        return "an OTLP/JSON export past a request body's bounds was stamped";
      return undefined;
    } catch (err) {
      if (err instanceof TelemetryRefused)
        return err.status >= 500 && err.status !== 503 ? `answered ${err.status}` : undefined;
      return unexpected(err);
    }
  },
  describe: ({ raw, json, coding, signal }) => `${signal} ${json ? "json" : "protobuf"} ${coding}: ${raw.length} bytes`,
};

const SECRET = "mcp-secret-token-0123456789";

/** A result as an MCP server may send it: parts, nesting, breadth, text; a secret somewhere in it. */
const mcpResult: fc.Arbitrary<Json> = fc.oneof(
  jsonMutant([
    { content: [{ type: "text", text: `token ${SECRET} here` }], isError: false },
    { content: [{ type: "text", text: "a" }], structuredContent: { a: [1, { b: SECRET }] } },
    { contents: [{ uri: "file:///x", text: SECRET }] },
    { messages: [{ role: "user", content: { type: "text", text: SECRET } }] },
  ]).map((t) => JSON.parse(t) as Json),
  fc.jsonValue({ maxDepth: 6 }) as fc.Arbitrary<Json>,
  fc.nat({ max: 3000 }).map((n) => ({ content: Array.from({ length: n }, () => ({ type: "text", text: SECRET })) })),
);

/** The MCP result path: bounded first, then scrubbed of the servers' secrets. */
export const mcpResults: Target<{ result: Json; method: string }> = {
  name: "mcp-results",
  level: "decoder",
  input: fc.record({
    result: mcpResult,
    method: fc.constantFrom("tools/call", "resources/read", "prompts/get", "tools/list"),
  }),
  async run({ result, method }) {
    try {
      if (resultProblem(result, method) !== undefined) return undefined;
      const clean = scrubbed(result, [SECRET]);
      return JSON.stringify(clean).includes(SECRET) ? "a secret survived scrubbing" : undefined;
    } catch (err) {
      return unexpected(err);
    }
  },
  describe: ({ result, method }) => `${method}: ${JSON.stringify(result).slice(0, 400)}`,
};

export const decoderTargets: Target<never>[] = [
  inboundDecoders,
  upstreamStreams,
  upstreamAnswers,
  contentCodings,
  telemetryExports,
  mcpResults,
  largeBodies,
  ...searchTargets,
] as Target<never>[];
