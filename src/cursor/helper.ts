/**
 * The Cursor helper: a separate process, run by Node ≥ 22.13, that drives Cursor's TypeScript SDK
 * (@cursor/sdk) for llmux, which talks to it in JSON lines over stdio (see protocol.ts). It holds the SDK's
 * agents, one per conversation; a client's tools become the agent's custom tools, whose calls end the request
 * and wait, inside the still running SDK run, for the next request to bring their results.
 *
 * Self-contained on purpose (no imports but node's and types): it runs from source with Node's type
 * stripping, or compiled, under a Node that may differ from the one running llmux. llmux starts it in an empty
 * temporary directory under Node's permission model (no child processes, files only in that directory).
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import type {
  Command,
  ErrorOut,
  HelperEvent,
  ResumeCommand,
  RunCommand,
  ToolResultIn,
  ToolSpec,
  UsageOut,
} from "./protocol.js";

// The parts of the SDK's API the helper uses (the SDK is not a dependency of llmux: no types at build time).
type Json = unknown;
type ToolResult = { content: ({ type: "text"; text: string } | { type: "image"; data: string; mimeType: string })[] };
interface CustomTool {
  description?: string;
  inputSchema?: Record<string, Json>;
  execute(args: Record<string, Json>, ctx: { toolCallId?: string }): Promise<ToolResult & { isError?: boolean }>;
}
interface RunResult {
  status: string;
  error?: { message: string; code?: string };
  usage?: UsageOut;
}
interface Run {
  wait(): Promise<RunResult>;
  cancel(): Promise<void>;
}
interface Update {
  type: string;
  text?: string;
  usage?: UsageOut;
}
interface SdkAgent {
  send(
    message: { text: string; images?: { data: string; mimeType: string }[] },
    options: {
      model?: { id: string };
      onDelta?: (a: { update: Update }) => void;
      local?: { customTools?: Record<string, CustomTool> };
    },
  ): Promise<Run>;
  close(): void;
}
interface Sdk {
  Agent: { create(options: Record<string, Json>): Promise<SdkAgent> };
}

interface Options {
  workdir: string;
  toolResultTimeoutMs: number;
  conversationTtlMs: number;
  maxConversations: number;
}

interface Conversation {
  id: string;
  key: string;
  model: string;
  agent: SdkAgent;
  /** The request the run streams to now; undefined while it waits for tool results. */
  current?: string;
  run?: Run;
  pending: Map<string, (r: ToolResult & { isError?: boolean }) => void>;
  /** Output of the run that came while no request was listening (shown to the next). */
  backlog: RequestEvent[];
  flush?: ReturnType<typeof setTimeout>;
  toolTimer?: ReturnType<typeof setTimeout>;
  usage?: UsageOut;
  lastUsed: number;
}

const options = JSON.parse(process.env.LLMUX_CURSOR_OPTIONS ?? "{}") as Options;
const conversations = new Map<string, Conversation>();

function emit(e: HelperEvent): void {
  process.stdout.write(`${JSON.stringify(e)}\n`);
}

type RequestEvent = Extract<HelperEvent, { id: string }>;

/** Emits an event for the request a conversation streams to, or keeps it until one listens. */
function toRequest(conv: Conversation, e: RequestEvent): void {
  if (conv.current) emit({ ...e, id: conv.current });
  else conv.backlog.push(e);
}

const STATUS: Record<string, [number, ErrorOut["kind"]]> = {
  unauthenticated: [401, "authentication"],
  permission_denied: [403, "permission"],
  resource_exhausted: [429, "rate_limit"],
  invalid_argument: [400, "invalid_request"],
  failed_precondition: [400, "invalid_request"],
  out_of_range: [400, "invalid_request"],
  not_found: [404, "not_found"],
  unavailable: [503, "server"],
  deadline_exceeded: [503, "server"],
  aborted: [503, "server"],
};
const CLASSES: Record<string, [number, ErrorOut["kind"]]> = {
  AuthenticationError: [401, "authentication"],
  RateLimitError: [429, "rate_limit"],
  NetworkError: [503, "server"],
  ConfigurationError: [400, "invalid_request"],
  IntegrationNotConnectedError: [400, "invalid_request"],
  AgentNotFoundError: [404, "not_found"],
  AgentBusyError: [503, "server"],
};

/** An SDK error (thrown, or a failed run's) as a status, a kind and a message. */
function errorOut(err: unknown): ErrorOut {
  const e = (err ?? {}) as { name?: string; code?: string; message?: string; cause?: unknown };
  // Something the permission model refused: say what, for the log (the SDK's message does not).
  for (let c: unknown = err, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const denied = c as { code?: string; permission?: string; resource?: string };
    if (denied.code === "ERR_ACCESS_DENIED")
      emit({ ev: "log", message: `denied by the permission model: ${denied.permission} ${denied.resource ?? ""}` });
  }
  const message = String(e.message ?? err).slice(0, 2000);
  const bracket = /^\[([a-z_]+)\]/.exec(message)?.[1];
  const byCode = STATUS[e.code ?? ""] ?? STATUS[bracket ?? ""];
  const byClass = CLASSES[e.name ?? ""];
  // Errors that reach a run's result keep only their message: read it as a last resort.
  const byText: [number, ErrorOut["kind"]] | undefined = /invalid api key|unauthenticated|unauthorized/i.test(message)
    ? [401, "authentication"]
    : /rate limit|too many requests/i.test(message)
      ? [429, "rate_limit"]
      : /fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|socket|network|connection/i.test(message)
        ? [503, "server"]
        : undefined;
  const [status, kind] = byClass ?? byCode ?? byText ?? [502, "server"];
  return { status, kind, message: `Cursor: ${message}` };
}

function forget(conv: Conversation): void {
  conversations.delete(conv.id);
  clearTimeout(conv.flush);
  clearTimeout(conv.toolTimer);
  for (const resolve of conv.pending.values())
    resolve({ content: [{ type: "text", text: "The conversation was closed." }], isError: true });
  conv.pending.clear();
  if (conv.run) void conv.run.cancel().catch(() => undefined);
  try {
    conv.agent.close();
  } catch {
    // already closed
  }
}

/** The custom tools of a run: each call is sent to the client, and waits for its result. */
function customTools(conv: Conversation, tools: ToolSpec[]): Record<string, CustomTool> {
  const out: Record<string, CustomTool> = {};
  for (const t of tools) {
    out[t.name] = {
      ...(t.description ? { description: t.description } : {}),
      ...(t.inputSchema ? { inputSchema: t.inputSchema } : {}),
      execute: (args, ctx) =>
        new Promise((resolve) => {
          const callId = ctx.toolCallId || `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`;
          conv.pending.set(callId, resolve);
          toRequest(conv, { id: "", ev: "tool_call", callId, name: t.name, args });
          // Calls of one step come together: the request ends once they stopped coming.
          clearTimeout(conv.flush);
          conv.flush = setTimeout(() => suspend(conv), 40);
        }),
    };
  }
  return out;
}

/** Ends the current request on the tool calls it got; the run waits for their results. */
function suspend(conv: Conversation): void {
  if (!conv.current) return;
  emit({ id: conv.current, ev: "end", stop: "tool_use", conversation: conv.id });
  conv.current = undefined;
  conv.lastUsed = Date.now();
  clearTimeout(conv.toolTimer);
  conv.toolTimer = setTimeout(() => forget(conv), options.toolResultTimeoutMs);
}

function finish(conv: Conversation, result: RunResult): void {
  clearTimeout(conv.flush);
  const id = conv.current;
  conv.run = undefined;
  conv.current = undefined;
  conv.lastUsed = Date.now();
  if (!id) {
    // The run failed while it waited for tool results: they will find no run, and start over from the history.
    if (result.status !== "finished") forget(conv);
    return;
  }
  if (result.status === "finished") {
    const usage = result.usage ?? conv.usage;
    emit({ id, ev: "end", stop: "end_turn", conversation: conv.id, ...(usage ? { usage } : {}) });
  } else {
    emit({ id, ev: "error", error: errorOut(result.error ?? { message: `the run ended: ${result.status}` }) });
    forget(conv);
  }
  conv.usage = undefined;
}

function onDelta(conv: Conversation, u: Update): void {
  if (u.type === "text-delta" && u.text) toRequest(conv, { id: "", ev: "text", text: u.text });
  else if (u.type === "thinking-delta" && u.text) toRequest(conv, { id: "", ev: "thinking", text: u.text });
  else if (u.type === "turn-ended" && u.usage) conv.usage = u.usage;
}

function evictIdle(now: number): void {
  for (const conv of conversations.values())
    if (!conv.current && conv.pending.size === 0 && now - conv.lastUsed > options.conversationTtlMs) forget(conv);
  const idle = [...conversations.values()]
    .filter((c) => !c.current && c.pending.size === 0)
    .sort((a, b) => a.lastUsed - b.lastUsed);
  while (conversations.size > options.maxConversations && idle.length > 0) forget(idle.shift()!);
}

async function run(sdk: Sdk, cmd: RunCommand): Promise<void> {
  let conv = cmd.conversation ? conversations.get(cmd.conversation) : undefined;
  if (cmd.conversation && (!conv || conv.key !== cmd.key || conv.current || conv.pending.size > 0)) {
    emit({ id: cmd.id, ev: "error", error: { status: 409, kind: "invalid_request", message: "gone", code: "gone" } });
    return;
  }
  if (!conv) {
    const agent = await sdk.Agent.create({
      apiKey: cmd.key,
      model: { id: cmd.model },
      tools: cmd.tools.length > 0 ? ["mcp"] : [],
      ...(cmd.systemPrompt ? { systemPrompt: cmd.systemPrompt } : {}),
      local: { cwd: options.workdir, settingSources: [], enableAgentRetries: false },
    });
    conv = {
      id: randomUUID(),
      key: cmd.key,
      model: cmd.model,
      agent,
      pending: new Map(),
      backlog: [],
      lastUsed: Date.now(),
    };
    conversations.set(conv.id, conv);
    evictIdle(Date.now());
  }
  const c = conv;
  c.current = cmd.id;
  const model = c.model !== cmd.model ? { model: { id: cmd.model } } : {};
  c.model = cmd.model;
  try {
    c.run = await c.agent.send(
      { text: cmd.text, ...(cmd.images?.length ? { images: cmd.images } : {}) },
      { ...model, onDelta: ({ update }) => onDelta(c, update), local: { customTools: customTools(c, cmd.tools) } },
    );
  } catch (err) {
    c.current = undefined;
    forget(c);
    emit({ id: cmd.id, ev: "error", error: errorOut(err) });
    return;
  }
  c.run.wait().then(
    (result) => finish(c, result),
    (err: unknown) => finish(c, { status: "error", error: { message: String((err as Error)?.message ?? err) } }),
  );
}

function toolResult(r: ToolResultIn): ToolResult & { isError?: boolean } {
  const content = r.content.length > 0 ? r.content : [{ type: "text" as const, text: "" }];
  return { content, ...(r.isError ? { isError: true } : {}) };
}

function resume(cmd: ResumeCommand): void {
  const ids = cmd.results.map((r) => r.callId);
  const conv = [...conversations.values()].find(
    (c) => c.key === cmd.key && !c.current && ids.length > 0 && ids.every((id) => c.pending.has(id)),
  );
  if (!conv) {
    const error = {
      status: 409,
      kind: "invalid_request" as const,
      message: "no run waits",
      code: "unknown_call" as const,
    };
    emit({ id: cmd.id, ev: "error", error });
    return;
  }
  clearTimeout(conv.toolTimer);
  conv.current = cmd.id;
  for (const e of conv.backlog.splice(0)) emit({ ...e, id: cmd.id });
  for (const r of cmd.results) {
    conv.pending.get(r.callId)?.(toolResult(r));
    conv.pending.delete(r.callId);
  }
  // A call the client gave no result for must not hold the run forever.
  for (const [id, resolve] of conv.pending) {
    resolve({ content: [{ type: "text", text: "No result was returned for this call." }], isError: true });
    conv.pending.delete(id);
  }
}

function cancel(id: string): void {
  for (const conv of conversations.values()) if (conv.current === id) forget(conv);
}

async function main(): Promise<void> {
  const entry = process.env.LLMUX_CURSOR_SDK;
  if (!entry) throw new Error("LLMUX_CURSOR_SDK is not set");
  const sdk = (await import(pathToFileURL(entry).href)) as Sdk;
  const sdkVersion = process.env.LLMUX_CURSOR_SDK_VERSION ?? "";
  emit({ ev: "ready", sdk: sdkVersion, node: process.version });
  const sweep = setInterval(() => evictIdle(Date.now()), 60_000);
  sweep.unref();
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    let cmd: Command;
    try {
      cmd = JSON.parse(line) as Command;
    } catch {
      emit({ ev: "log", message: "a command that is not JSON was ignored" });
      return;
    }
    if (cmd.op === "run")
      run(sdk, cmd).catch((err: unknown) => emit({ id: cmd.id, ev: "error", error: errorOut(err) }));
    else if (cmd.op === "resume") resume(cmd);
    else if (cmd.op === "cancel") cancel(cmd.id);
  });
  // llmux went away (its end of the pipe closed): nothing is left to serve, nor to keep.
  lines.on("close", () => {
    for (const conv of conversations.values()) forget(conv);
    if (process.env.HOME) rmSync(process.env.HOME, { recursive: true, force: true });
    process.exit(0);
  });
}

process.on("uncaughtException", (err) => {
  emit({ ev: "log", message: `uncaught: ${String(err?.message ?? err).slice(0, 500)}` });
});
process.on("unhandledRejection", (err) => {
  emit({ ev: "log", message: `unhandled rejection: ${String((err as Error)?.message ?? err).slice(0, 500)}` });
});

main().catch((err: unknown) => {
  emit({ ev: "log", message: `the helper could not start: ${String((err as Error)?.message ?? err)}` });
  process.exit(1);
});
