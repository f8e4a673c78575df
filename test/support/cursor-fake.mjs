/**
 * A local stand-in for Cursor's backend, for the tests of the `cursor` provider. Run by the Node 22 of the
 * Cursor runtime: `node cursor-fake.mjs <runtime dir>`; prints `{"port":N}` once it listens.
 *
 * It speaks the protocol of the pinned SDK with the SDK's own message definitions, taken from the installed SDK
 * at start (nothing of the SDK is copied here): the SDK hands its service definitions to Connect's
 * `createClient`, so the fake wraps that function, lets an SDK agent of its own connect to itself once, and
 * keeps the definitions it saw. Then it serves the REST calls the SDK makes (API key exchange, model list) and
 * the agent's run stream, over HTTP/1.1 as the SDK uses it for an http:// backend (the Run stream as RunSSE,
 * the client's messages as BidiAppend calls).
 *
 * What a run does is chosen by markers in the last line of the user's message:
 *   (none)          thinking, then "Composer heard: <last line>" as text, then usage
 *   [tool]          calls the first client tool; [tools2] calls the first two at once; then says what came back
 *   [disk]          asks the SDK to run a shell command and to write and read files; says how each went
 *   [error:rate]    ResourceExhausted; [error:auth] Unauthenticated; [error:network] drops the connection
 *   [slow]          waits 3 s before it answers
 * API keys containing "bad" are refused with 401 (model list, key exchange), "limited" with 429.
 * GET /__fake/log returns what it saw (keys, run requests, tool results, runs the client closed early).
 */

import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const runtimeDir = process.argv[2];
const need = createRequire(join(runtimeDir, "package.json"));
const promiseClient = need(join(dirname(need.resolve("@connectrpc/connect")), "promise-client.js"));
const { ConnectError, Code } = need("@connectrpc/connect");
const { connectNodeAdapter } = need("@connectrpc/connect-node");

const services = new Map();
let discovered;
const discovery = new Promise((resolve) => {
  discovered = resolve;
});
for (const fn of ["createClient", "createPromiseClient"]) {
  const original = promiseClient[fn];
  promiseClient[fn] = function (service, transport) {
    services.set(service.typeName, service);
    if (services.has("agent.v1.AgentService") && services.has("aiserver.v1.BidiService")) discovered();
    return original.call(this, service, transport);
  };
}

const log = [];
const usage = { inputTokens: 12n, outputTokens: 7n, cacheReadTokens: 3n, cacheWriteTokens: 1n, reasoningTokens: 2n };

function json(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** The REST calls, and any unary call the fake has nothing to say to (an empty message). */
function rest(req, res) {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const url = req.url ?? "";
    const bearer = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (url === "/__fake/log") return json(res, 200, log);
    if (url === "/auth/exchange_user_api_key") {
      log.push({ exchange: bearer });
      if (bearer.includes("bad")) return json(res, 401, { error: { message: "Invalid API key (fake)" } });
      if (bearer.includes("limited")) return json(res, 429, { error: { message: "Too many requests (fake)" } });
      return json(res, 200, { accessToken: `token-for-${bearer}` });
    }
    if (url === "/v1/models" && bearer.includes("bad"))
      return json(res, 401, { error: { message: "Invalid API key (fake)" } });
    if (url === "/v1/models" && bearer.includes("limited"))
      return json(res, 429, { error: { message: "Too many requests (fake)" } });
    if (url === "/v1/models")
      return json(res, 200, {
        items: [
          { id: "composer-2.5", displayName: "Composer 2.5" },
          { id: "composer-2.5-fast", displayName: "Composer 2.5 Fast" },
          { id: "discover", displayName: "Discovery" },
        ],
      });
    const type = req.headers["content-type"] ?? "";
    if (type === "application/proto") {
      res.writeHead(200, { "content-type": "application/proto" });
      return res.end();
    }
    if (type.startsWith("application/json")) return json(res, 200, {});
    res.writeHead(404);
    res.end();
  });
}

let handle = rest;
/** The sockets of open run streams, by the SDK's request id (to drop one). */
const sockets = new Map();
const server = http.createServer((req, res) => {
  const rid = req.headers["x-request-id"];
  if (typeof rid === "string" && req.url?.endsWith("/RunSSE")) {
    sockets.set(rid, req.socket);
    res.on("close", () => sockets.delete(rid));
  }
  handle(req, res);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = server.address().port;

// Discovery: an agent of the fake's own connects to the fake, which keeps the service definitions it used.
const home = mkdtempSync(join(tmpdir(), "llmux-cursor-fake-"));
process.env.HOME = home;
process.on("SIGTERM", () => {
  rmSync(home, { recursive: true, force: true });
  process.exit(0);
});
process.env.CURSOR_BACKEND_URL = `http://127.0.0.1:${port}`;
const { Agent } = need("@cursor/sdk");
const probe = await Agent.create({
  apiKey: "discovery",
  model: { id: "discover" },
  tools: [],
  local: { cwd: home, settingSources: [], enableAgentRetries: false },
});
const probeRun = await probe.send("discovery");
await Promise.race([discovery, probeRun.wait()]);
await probeRun.cancel().catch(() => undefined);
const AgentService = services.get("agent.v1.AgentService");
const BidiService = services.get("aiserver.v1.BidiService");
if (!AgentService || !BidiService) throw new Error("the SDK's service definitions were not found");
const ClientMessage = AgentService.methods.run.I;
const ServerMessage = AgentService.methods.run.O;

const update = (message) => new ServerMessage({ message: { case: "interactionUpdate", value: { message } } });
const text = (t) => update({ case: "textDelta", value: { text: t } });
const thinking = (t) => update({ case: "thinkingDelta", value: { text: t } });
const heartbeat = () => update({ case: "heartbeat", value: {} });
const exec = (id, message) =>
  new ServerMessage({ message: { case: "execServerMessage", value: { id, execId: `exec-${id}`, message } } });
const stringValue = (s) => ({ kind: { case: "stringValue", value: s } });

/** Client messages of one run, in append order (appends may overtake each other, or the stream's start). */
const streams = new Map();
function stream(id) {
  let s = streams.get(id);
  if (!s) {
    s = { held: new Map(), next: 0, ready: [], wake: undefined };
    streams.set(id, s);
  }
  return s;
}
async function* incoming(s) {
  for (;;) {
    while (s.held.has(s.next)) {
      s.ready.push(s.held.get(s.next));
      s.held.delete(s.next);
      s.next++;
    }
    if (s.ready.length > 0) {
      yield s.ready.shift();
      continue;
    }
    await new Promise((resolve) => {
      s.wake = resolve;
    });
  }
}

/** Waits for the client's answers to `ids` (exec ids), sending heartbeats meanwhile as a server does. */
async function* answers(messages, ids, got) {
  const pending = new Set(ids);
  while (pending.size > 0) {
    const next = messages.next();
    let beat;
    const tick = new Promise((resolve) => {
      beat = setTimeout(() => resolve("beat"), 5000);
    });
    const r = await Promise.race([next, tick]);
    clearTimeout(beat);
    if (r === "beat") {
      yield heartbeat();
      const m = await next;
      if (m.done) return;
      handleAnswer(m.value, pending, got);
      continue;
    }
    if (r.done) return;
    handleAnswer(r.value, pending, got);
  }
}
function handleAnswer(m, pending, got) {
  if (m.message.case !== "execClientMessage") return;
  const v = m.message.value;
  pending.delete(v.id);
  got.set(v.id, v.message);
}

function argsFor(tool) {
  const props = tool.inputSchema?.toJson()?.properties ?? {};
  const args = {};
  for (const k of Object.keys(props)) args[k] = stringValue(k === "city" ? "Paris" : "x");
  return args;
}

async function* script(messages, s) {
  const first = (await messages.next()).value;
  const request = first.message.value;
  const user = request.action?.action?.value?.userMessage;
  const full = user?.text ?? "";
  s.firstText = full;
  // Markers are read from the message's last line (earlier lines may quote a history with markers in it).
  const said = full.trim().split("\n").at(-1) ?? "";
  const tools = request.mcpTools?.mcpTools ?? [];
  const images = (user?.selectedContext?.selectedImages ?? []).map((i) => ({
    mimeType: i.mimeType,
    bytes: i.dataOrBlobId.value?.length ?? 0,
  }));
  log.push({
    run: {
      text: full,
      model: request.requestedModel?.modelId ?? request.modelDetails?.modelId,
      tools: tools.map((t) => ({ name: t.toolName, schema: t.inputSchema?.toJson() })),
      images,
      systemPrompt: request.customSystemPrompt,
    },
  });
  if (said.includes("[error:rate]")) throw new ConnectError("rate limit exceeded (fake)", Code.ResourceExhausted);
  if (said.includes("[error:auth]")) throw new ConnectError("token expired (fake)", Code.Unauthenticated);
  if (said.includes("[slow]")) await new Promise((resolve) => setTimeout(resolve, 3000));
  yield thinking("Let me think");
  yield thinking(" about it.");
  if (said.includes("[error:network]")) {
    yield text("partial");
    throw Object.assign(new Error("drop"), { drop: true });
  }
  if (said.includes("[tool]") || said.includes("[tools2]")) {
    const chosen = tools.slice(0, said.includes("[tools2]") ? 2 : 1);
    const ids = chosen.map((_, i) => i + 1);
    for (const [i, tool] of chosen.entries()) {
      const args = { name: tool.name, toolName: tool.toolName, providerIdentifier: tool.providerIdentifier };
      yield exec(ids[i], {
        case: "mcpArgs",
        value: { ...args, toolCallId: `call_fake_${i + 1}`, args: argsFor(tool) },
      });
    }
    const got = new Map();
    yield* answers(messages, ids, got);
    const results = ids.map((id) => {
      const r = got.get(id)?.value?.result;
      const content = (r?.value?.content ?? []).map((c) =>
        c.content.case === "text" ? c.content.value.text : `[image ${c.content.value.mimeType}]`,
      );
      log.push({ toolResult: { id, case: r?.case, content, isError: r?.value?.isError ?? false } });
      return content.join("");
    });
    yield text(`The tool said: ${results.join(" | ")}`);
  } else if (said.includes("[disk]")) {
    const target = said.match(/\[disk\] (\S+)/)?.[1] ?? join(tmpdir(), "llmux-cursor-disk-probe");
    yield exec(1, {
      case: "shellArgs",
      value: { command: `touch ${target}.shell`, workingDirectory: "/", toolCallId: "d1" },
    });
    yield exec(2, {
      case: "writeArgs",
      value: { path: `${target}.write`, fileText: "written by the backend", toolCallId: "d2" },
    });
    yield exec(3, { case: "readArgs", value: { path: "/etc/hostname", toolCallId: "d3" } });
    const got = new Map();
    yield* answers(messages, [1, 2, 3], got);
    const report = [1, 2, 3].map((id) => `${id}:${got.get(id)?.value?.result?.case ?? "none"}`).join(" ");
    log.push({ disk: report });
    yield text(`disk: ${report}`);
  } else {
    for (const piece of `Composer heard: ${said}`.match(/.{1,7}/gsu) ?? []) yield text(piece);
  }
  yield update({ case: "turnEnded", value: usage });
}

handle = connectNodeAdapter({
  routes: (router) => {
    router.service(AgentService, {
      async *runSSE(id, ctx) {
        const s = stream(id.requestId);
        let finished = false;
        // The client closed the stream before the run ended (it cancelled the run).
        ctx.signal.addEventListener("abort", () => {
          if (!finished) log.push({ closedEarly: s.firstText });
        });
        try {
          yield* script(incoming(s), s);
          finished = true;
        } catch (err) {
          finished = true;
          // A dropped connection: the socket goes, with no error message on it.
          if (err.drop) sockets.get(ctx.requestHeader.get("x-request-id"))?.destroy();
          else if (!(err instanceof ConnectError)) process.stderr.write(`cursor fake: ${err.stack}\n`);
          throw err;
        } finally {
          finished = true;
          streams.delete(id.requestId);
        }
      },
    });
    router.service(BidiService, {
      async bidiAppend(req) {
        const s = stream(req.requestId.requestId);
        const bytes = req.dataBinary.length > 0 ? req.dataBinary : Buffer.from(req.data, "hex");
        s.held.set(Number(req.appendSeqno), ClientMessage.fromBinary(bytes));
        s.wake?.();
        return {};
      },
    });
  },
  fallback: rest,
});
process.stdout.write(`${JSON.stringify({ port })}\n`);
