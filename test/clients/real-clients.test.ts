/**
 * The real coding tools end to end: Claude Code, Codex CLI, OpenCode, Gemini CLI and Copilot CLI (pinned versions, installed on demand into
 * the tools cache, test/support/clients.ts) run headless against llmux, which forwards to a scripted mock upstream of each kind.
 *
 * Scenario A (text): the upstream answers a scripted text; the tool must print exactly it and exit 0.
 * Scenario B (tool round trip): the upstream reasons (with opaque state) and calls the tool's file-reading tool;
 * the tool really reads a file of its temporary workspace; the next upstream request must carry the file's
 * content as the tool result AND the reasoning state the way that upstream requires it (the mock answers 400
 * otherwise, as the real providers do); the upstream then answers a final text the tool must print.
 *
 * The mock answers with the upstream's own model name, as real providers do (llmux must show the tool the name
 * it asked for: Claude Code drops the thinking of a turn answered by another model).
 *
 * Every request a tool sends to llmux must be answered (no 4xx for headers, beta flags, extra calls…).
 * A matrix of the results is printed at the end. Set LLMUX_CLIENTS_CONCURRENCY to change how many tools run
 * at once (default 3), LLMUX_CLIENTS_DUMP=DIR to keep what the upstream received in each run, and
 * LLMUX_CLIENTS=copilot,codex to run (and install) only those tools.
 */
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockBlock } from "../../src/mock/script.js";
import {
  CLIENT_PINS,
  type ClientName,
  describeRun,
  ensureClient,
  killAllClients,
  makeWorkspace,
  type RunResult,
  removeWorkspace,
  runClient,
  type Workspace,
} from "../support/clients.js";
import { CURSOR_INSTALL_TIMEOUT_MS, cursorRuntime } from "../support/cursor.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { CELLS, type Cell, DRIVERS, type ReasoningState, SERVICE_KEY } from "./cells.js";
import { answeredModel, type Recorder, requestedModel, startRecorder } from "./recorder.js";

const RUN_TIMEOUT_MS = 90_000;
const CONCURRENCY = Math.max(1, Number(process.env.LLMUX_CLIENTS_CONCURRENCY) || 3);

// ---- installation ----

const installed = new Map<ClientName, Promise<string>>();
const ONLY = process.env.LLMUX_CLIENTS?.split(",").map((n) => n.trim());
const CLIENTS = (Object.keys(CLIENT_PINS) as ClientName[]).filter((n) => !ONLY || ONLY.includes(n));

beforeAll(async () => {
  // The newest Claude Code runs on a Node 22 of its own (cells.ts: node22Path).
  if (Number(process.versions.node.split(".")[0]) < 22 && CLIENTS.includes("claude-code-latest"))
    await cursorRuntime().catch(() => undefined);
  for (const name of CLIENTS) {
    const p = ensureClient(name);
    p.catch(() => undefined); // reported by the tests that need it
    installed.set(name, p);
  }
  await Promise.allSettled(installed.values());
}, 250_000 + CURSOR_INSTALL_TIMEOUT_MS);

// ---- a small pool: at most CONCURRENCY tools run at once ----

let active = 0;
const waiting: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (active >= CONCURRENCY) await new Promise<void>((r) => waiting.push(r));
  active++;
  try {
    return await fn();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

// ---- results, for the matrix printed at the end ----

type Scenario = "A" | "B";
type Status = "pass" | "FAIL" | "FAIL (reasoning state only)" | "FAIL (model name)";
interface Outcome {
  status: Status;
  notes: string[];
  ms: number;
}
const results = new Map<string, Outcome>();
const openHarnesses = new Set<Harness>();
const openRecorders = new Set<Recorder>();

afterAll(async () => {
  killAllClients();
  await Promise.all([...openRecorders].map((r) => r.close().catch(() => undefined)));
  await Promise.all([...openHarnesses].map((h) => h.close().catch(() => undefined)));
  printMatrix();
});

function printMatrix(): void {
  const rows = CELLS.map((c) => {
    const a = results.get(`${c.id}|A`);
    const b = results.get(`${c.id}|B`);
    const mark = (o: Outcome | undefined) => (o ? o.status : "not run");
    const secs = (o: Outcome | undefined) => (o ? (o.ms / 1000).toFixed(1) : "-");
    return [
      c.client,
      `${c.upstream.label}${c.passthrough ? " (passthrough)" : ""}`,
      c.variant,
      mark(a),
      mark(b),
      `${secs(a)} / ${secs(b)}`,
    ];
  });
  const head = ["client", "upstream", "variant", "A: text", "B: tool round trip", "tool run s (A / B)"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`;
  const out = [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  const notes: string[] = [];
  for (const c of CELLS) {
    for (const s of ["A", "B"] as const) {
      const o = results.get(`${c.id}|${s}`);
      if (o && o.notes.length > 0) notes.push(`- ${c.id} ${s} (${o.status}): ${o.notes.join("; ")}`);
    }
  }
  const passed = [...results.values()].filter((o) => o.status === "pass").length;
  console.log(
    `\nReal clients × upstreams (${passed}/${results.size} passed)\n${out.join("\n")}\n${notes.length ? `\n${notes.join("\n")}\n` : ""}`,
  );
}

// ---- one cell: a gateway (with its own mock) set up for the tool, and a recorder in front of it ----

interface CellRig {
  h: Harness;
  rec: Recorder;
  /** Where the tool is pointed: the recorder, which forwards everything to llmux unchanged. */
  url: string;
}

async function startCell(c: Cell): Promise<CellRig> {
  const h = await startHarness(() => ({
    auth: { keys: [SERVICE_KEY] },
    models: DRIVERS[c.client].models(c),
  }));
  openHarnesses.add(h);
  const rec = await startRecorder(h.url);
  openRecorders.add(rec);
  // The tool's small-model call (OpenCode's title generation), answered under the upstream's own model name.
  h.mock.enqueue({
    match: { model: c.upstream.small },
    model: c.upstream.small,
    blocks: [{ type: "text", text: "Scripted title" }],
  });
  return { h, rec, url: rec.url };
}

async function stopCell(rig: CellRig, c: Cell, s: Scenario): Promise<void> {
  openRecorders.delete(rig.rec);
  openHarnesses.delete(rig.h);
  await rig.rec.close();
  await rig.h.close();
  const dir = process.env.LLMUX_CLIENTS_DUMP;
  if (dir) {
    const name = `${c.client}-${c.upstream.key}-${c.variant}-${s}`.replace(/[^a-z0-9.-]+/gi, "_");
    await mkdir(dir, { recursive: true });
    const upstream = rig.h.mock.requests.map((r) => ({ ...r, body: undefined }));
    const tool = rig.rec.exchanges;
    await writeFile(join(dir, `${name}.json`), JSON.stringify({ tool, upstream, logs: rig.h.logs }, null, 2));
  }
}

const short = (s: string, n = 400) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** What llmux and the mock saw, for failure messages. */
function traffic({ h, rec }: CellRig): string {
  const ans = rec.exchanges
    .map((e) => {
      const model = requestedModel(e);
      const err = e.status >= 400 ? `: ${short(e.response, 300)}` : "";
      const warned = e.warnings ? `\n      llmux-warnings: ${short(e.warnings, 300)}` : "";
      return `  ${e.status} ${e.method} ${e.url}${model ? ` model=${model} → ${answeredModel(e) ?? "?"}` : ""}${err}${warned}`;
    })
    .join("\n");
  const up = h.mock.requests
    .map((r) => {
      const model = (r.body as { model?: unknown } | undefined)?.model;
      return `  ${r.method} ${r.url} model=${String(model)} ${r.raw.length} B${r.failure ? ` → 400: ${r.failure}` : ""}`;
    })
    .join("\n");
  return `the tool sent llmux (status, request → model name answered):\n${ans || "  (nothing)"}\nthe upstream (mock) received:\n${up || "  (nothing)"}`;
}

/** llmux answers of 400 and above, except those the mock caused deliberately (a failed expectation). */
function refusals({ h, rec }: CellRig): string[] {
  let excused = h.mock.requests.filter((r) => r.failure).length;
  const out: string[] = [];
  for (const e of rec.exchanges) {
    if (e.status > 0 && e.status < 400) continue;
    if (e.status === 400 && excused > 0 && e.response.includes("mock expectation failed")) {
      excused--;
      continue;
    }
    out.push(`llmux answered ${e.status || "nothing"} to ${e.method} ${e.url}: ${short(e.response, 300)}`);
  }
  return out;
}

/** Answers that showed the tool another model name than the one it asked for. */
function renamed({ rec }: CellRig): string[] {
  const out = new Set<string>();
  for (const e of rec.exchanges) {
    const asked = requestedModel(e);
    const shown = answeredModel(e);
    if (e.status === 200 && asked && shown && asked !== shown) {
      out.add(`MODEL NAME: the tool asked for "${asked}" and llmux's answer says "${shown}"`);
    }
  }
  return [...out];
}

/** Gemini CLI's requests must be named on llmux's log line as the tool they come from. */
function unnamed({ h }: CellRig, c: Cell): string[] {
  if (c.client !== "gemini-cli") return [];
  const tools = h.logs.filter((l) => l.msg === "request").map((l) => l.client_tool);
  return tools.length > 0 && tools.every((t) => t === "gemini-cli")
    ? []
    : [`LOG: client_tool was ${tools.join(", ") || "(no request line)"}, not gemini-cli`];
}

function ranCleanly(r: RunResult): string[] {
  if (r.timedOut) return [`the tool did not finish within ${RUN_TIMEOUT_MS / 1000} s (killed)`];
  if (r.code !== 0) return [`the tool exited with ${r.code}${r.signal ? ` (${r.signal})` : ""}`];
  return [];
}

const tag = () => randomBytes(4).toString("hex");

function record(c: Cell, s: Scenario, status: Status, problems: string[], notes: string[], ms: number): void {
  results.set(`${c.id}|${s}`, {
    status: problems.length === 0 ? "pass" : status,
    notes: [...problems, ...notes].map((p) => short(p, 300)),
    ms,
  });
}

/** Throws the installer's error (and records the cell as failed) when the tool could not be installed. */
async function toolReady(c: Cell, s: Scenario): Promise<void> {
  try {
    await installed.get(c.client);
  } catch (err) {
    record(c, s, "FAIL", [`${c.client} is not installed: ${short((err as Error).message, 200)}`], [], 0);
    throw err;
  }
}

async function runIn(c: Cell, rig: CellRig, ws: Workspace, prompt: string): Promise<RunResult> {
  const driver = DRIVERS[c.client];
  return slot(() =>
    runClient(c.client, ws, {
      args: driver.args(c, prompt),
      env: driver.env(c, rig.url),
      timeoutMs: RUN_TIMEOUT_MS,
    }),
  );
}

// ---- scenario A: text ----

async function scenarioText(c: Cell): Promise<void> {
  await toolReady(c, "A");
  const rig = await startCell(c);
  const ws = await makeWorkspace(c.client, { homeFiles: DRIVERS[c.client].homeFiles(c, rig.url) });
  try {
    const text = `Scripted answer ${tag()}: the upstream says hello through llmux.`;
    rig.h.mock.enqueue({
      match: { model: c.upstream.model },
      model: c.upstream.model,
      blocks: [{ type: "text", text }],
    });
    const r = await runIn(c, rig, ws, "Reply with the scripted text.");
    const problems = [...ranCleanly(r)];
    if (r.stdout.trim() !== text) problems.push(`stdout is not exactly the scripted text ${JSON.stringify(text)}`);
    problems.push(...refusals(rig), ...renamed(rig), ...unnamed(rig, c));
    record(c, "A", "FAIL", problems, [], r.ms);
    expect(problems, `${c.id}, scenario A\n${describeRun(c.client, r)}\n${traffic(rig)}`).toEqual([]);
  } finally {
    await removeWorkspace(ws);
    await stopCell(rig, c, "A");
  }
}

// ---- scenario B: tool round trip with reasoning state ----

async function scenarioToolRoundTrip(c: Cell): Promise<void> {
  await toolReady(c, "B");
  const driver = DRIVERS[c.client];
  const id = tag();
  const secret = `llmux-secret-${id}-${randomBytes(6).toString("hex")}`;
  const rig = await startCell(c);
  const ws = await makeWorkspace(c.client, {
    files: { "secret.txt": `${secret}\n` },
    homeFiles: driver.homeFiles(c, rig.url),
  });
  try {
    const reasoning: ReasoningState = {
      text: `The user wants secret.txt, so I read it first (${id}).`,
      signature: `EqMBCkgIBxABGAIqQL${randomBytes(48).toString("base64url")}`,
      encrypted: `gAAAAABo${randomBytes(60).toString("base64url")}`,
    };
    const call = driver.readCall(ws, "secret.txt");
    const final = `The file says ${secret}. Done (${id}).`;
    const first: MockBlock[] = [
      {
        type: "reasoning",
        text: reasoning.text,
        summary: [reasoning.text],
        signature: reasoning.signature,
        encrypted: reasoning.encrypted,
      },
      { type: "tool_call", name: call.name, arguments: call.arguments },
    ];
    const needle = c.upstream.reasoning?.needle(reasoning);
    rig.h.mock.enqueue(
      { match: { model: c.upstream.model }, model: c.upstream.model, blocks: first },
      {
        match: { model: c.upstream.model },
        model: c.upstream.model,
        // Two separate checks; when both fail, the mock's 400 names the tool result (the last one).
        expect: { contains: [...(needle ? [needle] : []), secret] },
        blocks: [{ type: "text", text: final }],
      },
    );
    const r = await runIn(c, rig, ws, "Read the file secret.txt and tell me what it says.");

    const main = rig.h.mock.requests.filter(
      (q) => (q.body as { model?: unknown } | undefined)?.model === c.upstream.model,
    );
    const second = main[1];
    const problems: string[] = [];
    let toolResultOk = false;
    let reasoningOk = true;
    if (main.length === 0) problems.push("the upstream never received the main request");
    else if (!second) problems.push("no second upstream request: the tool did not send the tool result back");
    else {
      toolResultOk = second.raw.includes(secret);
      if (!toolResultOk) problems.push("TOOL RESULT: the second upstream request does not carry the file content");
      if (needle && !second.raw.includes(needle)) {
        reasoningOk = false;
        problems.push(
          `REASONING STATE: the second upstream request does not carry ${c.upstream.reasoning!.what} ` +
            `issued with the tool call (${short(needle, 60)})`,
        );
      }
    }
    const lastLine = r.stdout.trim().split("\n").at(-1)?.trim() ?? "";
    const refused = refusals(rig);
    problems.push(...ranCleanly(r));
    if (lastLine !== final) problems.push(`stdout does not end with the final text ${JSON.stringify(final)}`);
    problems.push(...refused);
    // A missing reasoning state makes the mock answer 400 (as the providers do), so the tool fails too: when the
    // tool result arrived and nothing else was refused, the reasoning state is the one cause. Claude Code drops the    // thinking of a turn whose answer names another model, so a renamed answer is then the cause. Every answer must
    // name the model the tool asked for.
    const names = renamed(rig);
    problems.push(...names);
    const status: Status =
      !reasoningOk && toolResultOk && refused.length === 0
        ? names.length > 0 && c.client === "claude-code"
          ? "FAIL (model name)"
          : "FAIL (reasoning state only)"
        : "FAIL";
    record(c, "B", status, problems, [], r.ms);
    expect(problems, `${c.id}, scenario B\n${describeRun(c.client, r)}\n${traffic(rig)}`).toEqual([]);
  } finally {
    await removeWorkspace(ws);
    await stopCell(rig, c, "B");
  }
}

// ---- the matrix ----

describe("installing the pinned tools into the tools cache", () => {
  for (const name of CLIENTS) {
    const pin = CLIENT_PINS[name];
    it(`${pin.pkg}@${pin.version}`, async () => {
      const bin = await installed.get(name);
      expect(bin).toBeTruthy();
    });
  }
});

for (const client of CLIENTS) {
  describe(`${client} (${CLIENT_PINS[client].pkg}@${CLIENT_PINS[client].version})`, () => {
    for (const c of CELLS.filter((x) => x.client === client)) {
      it.concurrent(`${c.id} — A: text`, () => scenarioText(c), 300_000);
      it.concurrent(`${c.id} — B: tool round trip + reasoning state`, () => scenarioToolRoundTrip(c), 300_000);
    }
  });
}
