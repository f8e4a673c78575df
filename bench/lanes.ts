/**
 * The benchmark's lanes: which client request goes to which upstream dialect, with which recorded body,
 * and how each target (llmux, the peers) is asked for it. Bodies come from ../shared/fixtures (real client
 * requests); the 500 KB lane and the body-size curve scale the Claude Code body.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { MockScript } from "../src/mock/script.js";
import { LONG_DELTAS, LONG_MODEL } from "./bench-config.js";
import { type KeyStore, withMintedKey } from "./minted-key.js";
import { withServiceKey } from "./service-key.js";
import type { RequestSpec, TargetName } from "./types.js";

export { LONG_DELTAS, LONG_MODEL, llmuxConfig } from "./bench-config.js";

/** The first token of every reply starts with this (the load generator's first-token marker). */
export const TOKEN_MARKER = "Qzx";

const REPLY_TEXT = "Qzx bench reply: the quick brown fox jumps over the lazy dog while the gateway relays tokens. ";

/** The mock's fixed answer: `deltas` text pieces of `chunkChars` characters each. */
export function replyScript(deltas: number, chunkChars: number): MockScript {
  const n = Math.max(1, deltas) * Math.max(1, chunkChars);
  const text = REPLY_TEXT.repeat(Math.ceil(n / REPLY_TEXT.length)).slice(0, n);
  return { id: "msg_bench", model: "mock-model", blocks: [{ type: "text", text }], chunkChars };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The repository root (the directory holding llmux's package.json), found from this file upwards. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "llmux") return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export function fixturesDir(): string {
  return resolve(repoRoot(), "..", "shared", "fixtures");
}

interface Fixture {
  body: JsonObject;
  headers: Record<string, string>;
  file: string;
}

const DROP_HEADERS = new Set(["host", "content-length", "connection", "accept-encoding", "transfer-encoding"]);

function fixture(rel: string): Fixture {
  const raw = JSON.parse(readFileSync(join(fixturesDir(), rel), "utf8")) as {
    body: JsonObject;
    headers?: Record<string, string>;
  };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.headers ?? {})) if (!DROP_HEADERS.has(k.toLowerCase())) headers[k] = v;
  return { body: raw.body, headers, file: rel };
}

const clone = <T>(v: T): T => structuredClone(v);

export const FIXTURES = {
  claudeCode: "real-clients/claude-07-POST__v1_messages_stream_tools.json",
  codex: "real-clients/codex-responses-10-POST__v1_responses_stream_tools.json",
  cursor: "cursor-2026/clyde__agent-gpt54-responses-body-on-chat-completions__request.json",
  smallChat: "real-clients/opencode-chat-20-title-gen-small_model.json",
  smallMessages: "real-clients/opencode-anthropic-22-title-gen-small_model.json",
} as const;

const size = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));

/**
 * A Claude Code request of about `target` bytes, built from the recorded one: its system prompt and as many
 * of its tools as fit in half the size (all of them from ~130 kB on), then tool-use / tool-result turns (a
 * file read, in numbered lines, of its own prose), as a long Claude Code session grows.
 */
export function scaledClaudeCodeBody(target: number): JsonObject {
  const base = fixture(FIXTURES.claudeCode).body;
  const tools = (base.tools as JsonObject[]) ?? [];
  const corpus = tools.map((t) => String(t.description ?? "")).join(" ");
  const out: JsonObject = clone(base);
  const firstUser = (base.messages as JsonObject[]).find((m) => m.role === "user")!;
  out.messages = [clone(firstUser)];
  out.tools = [];
  if (size(out) > target * 0.3) {
    // Small sizes: keep the system prompt's first blocks only.
    const sys = (base.system as JsonObject[]).slice(0, 2);
    out.system = sys;
  }
  const outTools = out.tools as JsonObject[];
  for (const tool of tools) {
    if (size(out) + size(tool) > target * 0.5) break;
    outTools.push(clone(tool));
  }
  const messages = out.messages as JsonObject[];
  let offset = 0;
  const prose = (n: number): string => {
    let s = "";
    while (s.length < n) {
      const take = corpus.slice(offset, offset + (n - s.length));
      s += take;
      offset = take.length === 0 ? 0 : (offset + take.length) % Math.max(1, corpus.length);
    }
    return s;
  };
  // What Claude Code's Read tool answers: the file's lines, numbered (`     1→…`), a newline after each. The
  // recorded body's texts were redacted to prose without one newline; a real session's long strings are mostly
  // such files (and a string without any character JSON escapes is cheaper to write again: src/http/json-bytes.ts).
  const readResult = (n: number): string => {
    const lines: string[] = [];
    let chars = 0;
    for (let line = 1; chars < n; line++) {
      const text = `${String(line).padStart(6)}→${prose(20 + ((line * 37) % 70))}`;
      lines.push(text);
      chars += text.length + 1;
    }
    return lines.join("\n");
  };
  for (let i = 0; size(out) < target - 6000; i++) {
    const id = `toolu_bench_${String(i).padStart(4, "0")}`;
    messages.push({
      role: "assistant",
      content: [
        { type: "text", text: prose(200) },
        { type: "tool_use", id, name: "Read", input: { file_path: `/repo/src/file_${i}.ts`, limit: 400 } },
      ],
    });
    messages.push({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: id, content: readResult(3600) }],
    });
  }
  const rest = target - size(out) - 40;
  const last = messages[messages.length - 1]!;
  const content = Array.isArray(last.content) ? last.content : [{ type: "text", text: String(last.content) }];
  if (rest > 0) content.push({ type: "text", text: prose(rest) });
  last.content = content;
  return out;
}

/** How a peer gateway is asked for a lane. */
export interface PeerRoute {
  path: string;
  headers: Record<string, string>;
  model: string;
}

export type UpstreamKind = "compat" | "anthropic" | "azure";

/** The engines of the team lanes (bench/team-servers.ts): SQLite + in-process state, PostgreSQL + Redis. */
export type TeamEngine = "sqlite" | "pg";

export interface Lane {
  id: string;
  title: string;
  kind: "passthrough" | "translation";
  stream: boolean;
  upstream: UpstreamKind;
  source: string;
  /** The client's request body (its model is replaced per target). */
  body: JsonObject;
  clientPath: string;
  headers: Record<string, string>;
  /** The model name llmux is asked for (an alias, or provider/model). */
  llmuxModel: string;
  /** Where the mock receives the upstream request. */
  upstreamPath: string;
  peers: Partial<Record<"portkey" | "ccr", PeerRoute>>;
  notes?: string;
  /** Presented to llmux with a minted key (bench/minted-key.ts) instead of no key. */
  minted?: boolean;
  /** A team lane: served by an llmux of its own on this engine (bench/team-servers.ts). */
  team?: TeamEngine;
  /** Where llmux and the compared build are asked for this lane when not the fleet's own servers (team lanes). */
  via?: Partial<Record<"llmux" | "compare", { origin: string; store: KeyStore }>>;
}

/** The lanes `--lanes` names: by id, and the team lanes also by "team" or "team-ENGINE". */
export function selectLanes(lanes: Lane[], names: string[] | undefined): Lane[] {
  if (!names) return lanes;
  return lanes.filter(
    (l) =>
      names.includes(l.id) || (l.team !== undefined && (names.includes("team") || names.includes(`team-${l.team}`))),
  );
}

/** Where the mock serves each upstream kind. */
export const UPSTREAM_PATH: Record<UpstreamKind, string> = {
  compat: "/compat/v1/chat/completions",
  anthropic: "/v1/messages",
  azure: "/openai/v1/responses",
};

/** Portkey: the provider and custom host it routes to (the mock), per upstream kind. */
function portkey(kind: "compat" | "anthropic", mock: string, model: string, path: string): PeerRoute {
  const headers: Record<string, string> =
    kind === "compat"
      ? { "x-portkey-provider": "openai", "x-portkey-custom-host": `${mock}/compat/v1`, authorization: "Bearer bench" }
      : { "x-portkey-provider": "anthropic", "x-portkey-custom-host": `${mock}/v1`, "x-api-key": "bench" };
  return { path, headers, model };
}

/** claude-code-router: Anthropic Messages in; `provider,model` routes to one of the providers in its config. */
function ccr(provider: "anth" | "compat" | "azresp", model: string): PeerRoute {
  return { path: "/v1/messages", headers: { "x-api-key": "bench" }, model: `${provider},${model}` };
}

export interface LaneOptions {
  mockOrigin: string;
  /** Size of the large-body lane. */
  largeBytes: number;
}

/** The lanes, in report order. */
export function buildLanes(opts: LaneOptions): Lane[] {
  const m = opts.mockOrigin;
  const cc = fixture(FIXTURES.claudeCode);
  const codex = fixture(FIXTURES.codex);
  const cursor = fixture(FIXTURES.cursor);
  const smallChat = fixture(FIXTURES.smallChat);
  const smallMsg = fixture(FIXTURES.smallMessages);
  const ccModel = String(cc.body.model);
  const smallMsgModel = String(smallMsg.body.model);

  const msgSmallChat: Lane = {
    id: "msg-small-chat",
    title: "Messages → OpenAI-compatible Chat, translation, small, streaming",
    kind: "translation",
    stream: true,
    upstream: "compat",
    source: FIXTURES.smallMessages,
    body: clone(smallMsg.body),
    clientPath: "/v1/messages",
    headers: smallMsg.headers,
    llmuxModel: "bench-compat",
    upstreamPath: UPSTREAM_PATH.compat,
    peers: { ccr: ccr("compat", "bench-model") },
  };
  const smallChatPlain = clone(smallChat.body);
  smallChatPlain.stream = false;
  delete smallChatPlain.stream_options;

  return [
    {
      id: "chat-small",
      title: "Chat → OpenAI-compatible Chat, passthrough, small, non-streaming",
      kind: "passthrough",
      stream: false,
      upstream: "compat",
      source: FIXTURES.smallChat,
      body: smallChatPlain,
      clientPath: "/v1/chat/completions",
      headers: smallChat.headers,
      llmuxModel: "bench-compat",
      upstreamPath: UPSTREAM_PATH.compat,
      peers: { portkey: portkey("compat", m, "bench-model", "/v1/chat/completions") },
    },
    {
      id: "msg-cc",
      title: "Messages → Anthropic, passthrough, Claude Code body, streaming",
      kind: "passthrough",
      stream: true,
      upstream: "anthropic",
      source: FIXTURES.claudeCode,
      body: clone(cc.body),
      clientPath: "/v1/messages?beta=true",
      headers: cc.headers,
      llmuxModel: `anth/${ccModel}`,
      upstreamPath: UPSTREAM_PATH.anthropic,
      peers: {
        portkey: portkey("anthropic", m, ccModel, "/v1/messages?beta=true"),
        ccr: ccr("anth", ccModel),
      },
    },
    {
      id: "msg-cc-azure",
      title: "Messages → Azure Responses, translation, Claude Code body, streaming",
      kind: "translation",
      stream: true,
      upstream: "azure",
      source: FIXTURES.claudeCode,
      body: clone(cc.body),
      clientPath: "/v1/messages?beta=true",
      headers: cc.headers,
      llmuxModel: "bench-azure",
      upstreamPath: UPSTREAM_PATH.azure,
      peers: { ccr: ccr("azresp", "gpt-5-codex") },
    },
    {
      id: "cursor-azure",
      title: "Chat (Cursor agent) → Azure Responses, translation, streaming",
      kind: "translation",
      stream: true,
      upstream: "azure",
      source: FIXTURES.cursor,
      body: clone(cursor.body),
      clientPath: "/v1/chat/completions",
      headers: { authorization: "Bearer bench", "user-agent": "Cursor/2.0 (bench)", accept: "*/*" },
      llmuxModel: "bench-azure",
      upstreamPath: UPSTREAM_PATH.azure,
      peers: {},
      notes: "Cursor 2026 Agent mode: a Responses-shaped body on the Chat route, answered as Chat chunks.",
    },
    {
      id: "codex-anthropic",
      title: "Responses (Codex) → Anthropic, translation, streaming",
      kind: "translation",
      stream: true,
      upstream: "anthropic",
      source: FIXTURES.codex,
      body: clone(codex.body),
      clientPath: "/v1/responses",
      headers: codex.headers,
      llmuxModel: "anth/claude-sonnet-4-5",
      upstreamPath: UPSTREAM_PATH.anthropic,
      peers: {},
    },
    {
      id: "msg-large",
      title: `Messages → Anthropic, passthrough, ${Math.round(opts.largeBytes / 1000)} kB body, streaming`,
      kind: "passthrough",
      stream: true,
      upstream: "anthropic",
      source: `${FIXTURES.claudeCode} (scaled)`,
      body: scaledClaudeCodeBody(opts.largeBytes),
      clientPath: "/v1/messages?beta=true",
      headers: cc.headers,
      llmuxModel: `anth/${ccModel}`,
      upstreamPath: UPSTREAM_PATH.anthropic,
      peers: {
        portkey: portkey("anthropic", m, ccModel, "/v1/messages?beta=true"),
        ccr: ccr("anth", ccModel),
      },
    },
    {
      id: "chat-small-anthropic",
      title: "Chat → Anthropic, translation, small, streaming",
      kind: "translation",
      stream: true,
      upstream: "anthropic",
      source: FIXTURES.smallChat,
      body: clone(smallChat.body),
      clientPath: "/v1/chat/completions",
      headers: smallChat.headers,
      llmuxModel: `anth/${smallMsgModel}`,
      upstreamPath: UPSTREAM_PATH.anthropic,
      peers: { portkey: portkey("anthropic", m, smallMsgModel, "/v1/chat/completions") },
    },
    {
      id: "msg-cc-chat",
      title: "Messages → OpenAI-compatible Chat, translation, Claude Code body, streaming",
      kind: "translation",
      stream: true,
      upstream: "compat",
      source: FIXTURES.claudeCode,
      body: clone(cc.body),
      clientPath: "/v1/messages?beta=true",
      headers: cc.headers,
      llmuxModel: "bench-compat",
      upstreamPath: UPSTREAM_PATH.compat,
      peers: { ccr: ccr("compat", "bench-model") },
    },
    msgSmallChat,
    {
      ...msgSmallChat,
      id: "msg-small-chat-minted",
      title: "Messages → OpenAI-compatible Chat, small, streaming, with a minted key (SQLite)",
      body: clone(smallMsg.body),
      peers: {},
      minted: true,
      notes: "msg-small-chat with a key minted through the admin API: the difference is the cost of minted keys.",
    },
    {
      ...msgSmallChat,
      id: "msg-small-chat-routed",
      title: "Messages → OpenAI-compatible Chat, small, streaming, alias with two deployments (routing)",
      body: clone(smallMsg.body),
      llmuxModel: "bench-routed",
      peers: {},
      notes:
        "msg-small-chat to an alias of two deployments: the attempt loop, strategy, health and affinity on the in-process state. The difference is the routing layer's cost.",
    },
    {
      ...msgSmallChat,
      id: LONG_LANE,
      title: `Messages → OpenAI-compatible Chat, translation, small, long stream (${LONG_DELTAS} deltas)`,
      body: clone(smallMsg.body),
      llmuxModel: LONG_MODEL,
      peers: {},
      notes: `msg-small-chat answered with ${LONG_DELTAS} text deltas instead of the bench's usual few: the CPU per request it adds over msg-small-chat, divided by the deltas it adds, is what each streamed event costs (each delta is one upstream chunk and one event to the client).`,
    },
  ];
}

/** The long-stream lane: its upstream model's reply is LONG_DELTAS deltas long (bench-config.ts). */
export const LONG_LANE = "msg-small-chat-long";
/** The lane msg-small-chat-long lengthens: the same request, answered with the bench's usual reply. */
export const SHORT_LANE = "msg-small-chat";

/** The lane's client request to llmux (or to the compared build, with the key minted on its own store). */
export function llmuxRequest(lane: Lane, origin: string, store: KeyStore = "llmux"): RequestSpec {
  // The fixture's own credentials give way to the bench's service key (or the minted one).
  const spec = {
    origin,
    path: lane.clientPath,
    headers: { ...withServiceKey(lane.headers), "content-type": "application/json" },
    body: JSON.stringify({ ...lane.body, model: lane.llmuxModel }),
  };
  return lane.minted ? withMintedKey(spec, store) : spec;
}

/** The lane's client request to a peer, or undefined when the peer does not serve this lane. */
export function peerRequest(lane: Lane, peer: "portkey" | "ccr", origin: string): RequestSpec | undefined {
  const route = lane.peers[peer];
  if (!route) return undefined;
  return {
    origin,
    path: route.path,
    headers: { ...lane.headers, ...route.headers, "content-type": "application/json" },
    body: JSON.stringify({ ...lane.body, model: route.model }),
  };
}

/** Which targets can run a lane. */
export function laneTargets(lane: Lane): TargetName[] {
  const out: TargetName[] = ["direct", "proxy", "llmux", "compare"];
  if (lane.peers.portkey) out.push("portkey");
  if (lane.peers.ccr) out.push("ccr");
  return out;
}
