/**
 * Responses over WebSocket against a running llmux: a Codex-shaped session of several turns on one socket
 * (each turn names the previous Response and sends only its new item) against the same session over HTTP
 * (each turn a POST with the whole conversation), per-turn latency side by side; and the memory an idle
 * socket costs llmux, with 1,000 sockets open at once (the llmux process's RSS before and after).
 */
import { writeFileSync } from "node:fs";
import WebSocket from "ws";
import { memoryAfterGc, rssKb } from "./procs.js";
import { BENCH_SOCKET_KEYS, withServiceKey } from "./service-key.js";
import { summarize } from "./stats.js";

export interface WebsocketCost {
  model: string;
  turns: number;
  sessions: number;
  /** Milliseconds from sending a turn to its response.completed, every turn of every session. */
  httpMs: number[];
  wsMs: number[];
  /** afterGc: both RSS readings were taken after a full GC (the server ran with an inspector). */
  idle: { sockets: number; rssBeforeKb: number; rssAfterKb: number; perSocketKb: number; afterGc?: boolean };
}

type Item = Record<string, unknown>;

const user = (text: string): Item => ({ type: "message", role: "user", content: [{ type: "input_text", text }] });

function turnBody(model: string, input: Item[], previous?: string): Item {
  return {
    model,
    instructions: "You are Codex, a coding agent.",
    input,
    tools: [],
    store: false,
    stream: true,
    prompt_cache_key: "bench-session",
    ...(previous ? { previous_response_id: previous } : {}),
  };
}

/** The output items of a Responses stream's response.completed. */
function completedOf(text: string): { id: string; output: Item[] } {
  for (const line of text.split("\n")) {
    if (!line.startsWith("data: ") || !line.includes('"response.completed"')) continue;
    const e = JSON.parse(line.slice(6)) as { response: { id: string; output: Item[] } };
    return e.response;
  }
  throw new Error(`no response.completed in ${text.slice(0, 200)}`);
}

async function httpSession(origin: string, model: string, turns: number): Promise<number[]> {
  const ms: number[] = [];
  const conversation: Item[] = [];
  for (let t = 0; t < turns; t++) {
    conversation.push(user(`step ${t}: please continue with the change`));
    const t0 = performance.now();
    const res = await fetch(`${origin}/v1/responses`, {
      method: "POST",
      headers: withServiceKey({ "content-type": "application/json" }),
      body: JSON.stringify(turnBody(model, conversation)),
    });
    const done = completedOf(await res.text());
    ms.push(performance.now() - t0);
    conversation.push(...done.output);
  }
  return ms;
}

function openSocket(origin: string, key?: string): Promise<WebSocket> {
  const ws = new WebSocket(`${origin.replace(/^http/, "ws")}/v1/responses`, {
    perMessageDeflate: true,
    headers: key ? { authorization: `Bearer ${key}` } : withServiceKey({}),
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

async function wsSession(origin: string, model: string, turns: number): Promise<number[]> {
  const ws = await openSocket(origin);
  const ms: number[] = [];
  let previous: string | undefined;
  try {
    for (let t = 0; t < turns; t++) {
      const t0 = performance.now();
      previous = await new Promise<string>((resolve, reject) => {
        const onMessage = (data: WebSocket.RawData) => {
          const e = JSON.parse(String(data)) as { type: string; response?: { id: string } };
          if (e.type === "response.completed") {
            ws.off("message", onMessage);
            resolve(e.response!.id);
          } else if (e.type === "error") reject(new Error(String(data)));
        };
        ws.on("message", onMessage);
        ws.send(
          JSON.stringify({
            type: "response.create",
            ...turnBody(model, [user(`step ${t}: please continue with the change`)], previous),
          }),
        );
      });
      ms.push(performance.now() - t0);
    }
  } finally {
    ws.close();
  }
  return ms;
}

async function idleSockets(
  origin: string,
  pid: number,
  n: number,
  inspectorUrl: string | undefined,
): Promise<WebsocketCost["idle"]> {
  const settle = () => new Promise((r) => setTimeout(r, 1500));
  // RSS after a full GC when the server has an inspector: the garbage of the sessions before is not counted
  // as the sockets' memory. Both readings the same way, or neither.
  let afterGc = inspectorUrl !== undefined;
  const read = async (): Promise<number> => {
    const m = afterGc && inspectorUrl ? await memoryAfterGc(inspectorUrl, pid) : undefined;
    if (!m) afterGc = false;
    return m?.rssKb ?? rssKb(pid) ?? 0;
  };
  await settle();
  let rssBeforeKb = await read();
  const gcBefore = afterGc;
  const open: WebSocket[] = [];
  try {
    for (let i = 0; i < n; i += 50)
      open.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, n - i) }, (_, j) =>
            openSocket(origin, BENCH_SOCKET_KEYS[(i + j) % BENCH_SOCKET_KEYS.length]),
          ),
        )),
      );
    await settle();
    const rssAfterKb = await read();
    if (gcBefore && !afterGc) rssBeforeKb = rssKb(pid) ?? rssBeforeKb;
    return {
      sockets: open.length,
      rssBeforeKb,
      rssAfterKb,
      perSocketKb: (rssAfterKb - rssBeforeKb) / open.length,
      afterGc,
    };
  } finally {
    for (const ws of open) ws.terminate();
  }
}

/** Measures `sessions` sessions of `turns` turns each way, alternating, then 1,000 idle sockets. */
export async function measureWebsocket(
  origin: string,
  pid: number,
  model: string,
  sessions = 5,
  turns = 8,
  inspectorUrl?: string,
): Promise<WebsocketCost> {
  const httpMs: number[] = [];
  const wsMs: number[] = [];
  for (let s = 0; s < sessions; s++) {
    wsMs.push(...(await wsSession(origin, model, turns)));
    httpMs.push(...(await httpSession(origin, model, turns)));
  }
  const idle = await idleSockets(origin, pid, 1000, inspectorUrl);
  return { model, turns, sessions, httpMs, wsMs, idle };
}

/** The figures in one line, for the progress log. */
export function websocketLine(r: WebsocketCost): string {
  const h = summarize(r.httpMs);
  const w = summarize(r.wsMs);
  return `Responses, ${r.turns}-turn session ×${r.sessions}: per turn p50 WebSocket ${w.p50.toFixed(2)} ms vs HTTP ${h.p50.toFixed(2)} ms (added ${(w.p50 - h.p50).toFixed(2)} ms); ${r.idle.sockets} idle sockets: ${r.idle.perSocketKb.toFixed(1)} KB each`;
}

/** The figures as a short Markdown report (for --websocket-only). */
export function writeWebsocketReport(file: string, r: WebsocketCost): void {
  const h = summarize(r.httpMs);
  const w = summarize(r.wsMs);
  writeFileSync(
    file,
    [
      "# Responses over WebSocket",
      "",
      `A Codex-shaped session of ${r.turns} turns (model \`${r.model}\`), ${r.sessions} times each way: over one`,
      "WebSocket (each turn names the previous Response and sends only its new item) and over HTTP (each turn",
      "a POST with the whole conversation). Time from sending a turn to its `response.completed`.",
      "",
      "| per turn | p50 | p99 | max |",
      "|---|---|---|---|",
      `| WebSocket | ${w.p50.toFixed(2)} ms | ${w.p99.toFixed(2)} ms | ${w.max.toFixed(2)} ms |`,
      `| HTTP | ${h.p50.toFixed(2)} ms | ${h.p99.toFixed(2)} ms | ${h.max.toFixed(2)} ms |`,
      `| added by WebSocket (p50) | ${(w.p50 - h.p50).toFixed(2)} ms | | |`,
      "",
      `${r.idle.sockets} idle sockets open at once: llmux's RSS${r.idle.afterGc ? " after a full GC" : ""} ${r.idle.rssBeforeKb} KB → ${r.idle.rssAfterKb} KB,`,
      `${r.idle.perSocketKb.toFixed(1)} KB per socket (target: 20 KB or less).`,
      "",
    ].join("\n"),
  );
}
