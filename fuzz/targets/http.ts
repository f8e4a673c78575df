/**
 * The HTTP and WebSocket targets: mutated request bodies on every inbound route, bodies under content-coding
 * stacks, mutated upstream answers relayed to every client dialect, and Responses over WebSocket. An answer of
 * 500 or more is a finding, except 502, 503 and 504, which say an upstream failed (the answer targets' point)
 * or llmux is busy; every answer is read to its end.
 */
import fc from "fast-check";
import WebSocket from "ws";
import { encodedBody } from "../codings.js";
import type { FuzzGateway } from "../gateway.js";
import { bytesMutant, jsonMutant } from "../mutate.js";
import { answerSeeds, ROUTE_SEEDS } from "../seeds.js";
import type { Target } from "../target.js";

/** A finding for an answer's status: a 5xx llmux should not have answered. */
function verdict(status: number, what: string): string | undefined {
  if (status < 500 || status === 502 || status === 503 || status === 504) return undefined;
  return `5xx: ${what} answered ${status}`;
}

/**
 * An upstream's own 5xx is relayed as it came (its status, its words), as is an error event of that status in
 * its stream: a finding is llmux's own failure, its "internal error" answer.
 */
function ownFailure(status: number, text: string, what: string): string | undefined {
  if (status >= 500 && /"internal error"/.test(text)) return `5xx: ${what} answered ${status} (internal error)`;
  return undefined;
}

const contentType = fc.constantFrom(
  "application/json",
  "application/json",
  "application/json",
  "text/plain",
  "",
  "application/json; charset=utf-16",
  "multipart/form-data; boundary=x",
);

const extraHeaders = fc.record(
  {
    "llmux-tags": fc.oneof(fc.constant("project=a,project=b"), fc.string({ maxLength: 300 })),
    "x-request-id": fc.string({ maxLength: 400 }),
    "anthropic-beta": fc.string({ maxLength: 200 }),
    "x-session-id": fc.string({ maxLength: 300 }),
  },
  { requiredKeys: [] },
);

/** Only characters a header may hold (fetch refuses the others before anything is sent). */
const headerSafe = (h: Record<string, string>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.replace(/[^\x20-\x7e]/g, "")]));

async function post(
  gw: FuzzGateway,
  path: string,
  body: Buffer | string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${gw.url}${path}`, {
    method: "POST",
    headers,
    body,
    signal: AbortSignal.timeout(50_000),
  });
  return { status: res.status, text: await res.text() };
}

export function httpTargets(gw: FuzzGateway): Target<never>[] {
  const inbound: Target<{ path: string; body: string; type: string; headers: Record<string, string> }> = {
    name: "http-inbound",
    level: "http",
    parallel: 4,
    input: fc.oneof(
      ...ROUTE_SEEDS.map((s) =>
        fc.record({ path: fc.constant(s.path), body: jsonMutant([s.body]), type: contentType, headers: extraHeaders }),
      ),
      fc.record({
        path: fc.constantFrom(...ROUTE_SEEDS.map((s) => s.path)),
        body: fc.string({ maxLength: 2000 }),
        type: contentType,
        headers: extraHeaders,
      }),
    ),
    async run({ path, body, type, headers }) {
      const res = await post(gw, path, body, headerSafe({ ...(type ? { "content-type": type } : {}), ...headers }));
      return verdict(res.status, `POST ${path}`) && `${verdict(res.status, `POST ${path}`)}: ${res.text.slice(0, 300)}`;
    },
    describe: ({ path, body, type, headers }) =>
      `POST ${path} (${type}) ${JSON.stringify(headers)} ${body.slice(0, 600)}`,
  };

  const codings: Target<{ raw: Buffer; header: string }> = {
    name: "http-content-codings",
    level: "http",
    parallel: 2,
    input: encodedBody,
    async run({ raw, header }) {
      const res = await post(gw, "/v1/chat/completions", raw, {
        "content-type": "application/json",
        "content-encoding": header,
      });
      return (
        verdict(res.status, `content-encoding ${header}`) && `${verdict(res.status, header)}: ${res.text.slice(0, 300)}`
      );
    },
    describe: ({ raw, header }) =>
      `content-encoding: ${header}; ${raw.length} bytes: ${raw.subarray(0, 64).toString("hex")}`,
  };

  const seeds = answerSeeds();
  const UPSTREAM_MODELS = {
    "openai-chat": "via-openai-chat",
    "openai-responses": "via-openai-responses",
    anthropic: "via-anthropic",
    gemini: "via-gemini",
  } as const;
  type Up = keyof typeof UPSTREAM_MODELS;
  const CLIENTS = [
    {
      path: "/v1/chat/completions",
      body: (m: string, t: string, s: boolean) => ({ model: m, stream: s, messages: [{ role: "user", content: t }] }),
    },
    { path: "/v1/responses", body: (m: string, t: string, s: boolean) => ({ model: m, stream: s, input: t }) },
    {
      path: "/v1/messages",
      body: (m: string, t: string, s: boolean) => ({
        model: m,
        stream: s,
        max_tokens: 64,
        messages: [{ role: "user", content: t }],
      }),
    },
    {
      path: "/v1beta/models/{m}:generateContent",
      body: (_m: string, t: string) => ({ contents: [{ role: "user", parts: [{ text: t }] }] }),
    },
    {
      path: "/v1beta/models/{m}:streamGenerateContent?alt=sse",
      body: (_m: string, t: string) => ({ contents: [{ role: "user", parts: [{ text: t }] }] }),
    },
  ];

  const answers: Target<{ up: Up; client: number; stream: boolean; status: number; sse: Buffer; json: string }> = {
    name: "http-upstream-answers",
    level: "http",
    parallel: 4,
    input: fc.constantFrom(...(Object.keys(UPSTREAM_MODELS) as Up[])).chain((up) =>
      fc.record({
        up: fc.constant(up),
        client: fc.nat({ max: CLIENTS.length - 1 }),
        stream: fc.boolean(),
        status: fc.constantFrom(200, 200, 200, 200, 200, 200, 400, 429, 500, 529),
        sse: bytesMutant(seeds[up].sse.map((s) => Buffer.from(s))),
        json: jsonMutant([...seeds[up].json, { error: { message: "x", type: "invalid_request_error" } }]),
      }),
    ),
    async run({ up, client, stream, status, sse, json }) {
      const token = gw.answer({ status, sse, json: Buffer.from(json) });
      const c = CLIENTS[client]!;
      const model = UPSTREAM_MODELS[up];
      const res = await post(gw, c.path.replace("{m}", model), JSON.stringify(c.body(model, `${token} hi`, stream)), {
        "content-type": "application/json",
      });
      const v = ownFailure(res.status, res.text, `${up} → ${c.path}`);
      return v && `${v}: ${res.text.slice(0, 300)}`;
    },
    describe: ({ up, client, stream, status, sse, json }) =>
      `${up} → ${CLIENTS[client]!.path} stream=${stream} status=${status} sse=${JSON.stringify(sse.toString("utf8").slice(0, 500))} json=${json.slice(0, 500)}`,
  };

  const frame = fc.oneof(
    {
      weight: 6,
      arbitrary: jsonMutant([
        { type: "response.create", model: "via-mock-chat", input: "fz0 hi" },
        {
          type: "response.create",
          model: "via-mock-anthropic",
          stream: true,
          input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "fz0 hi" }] }],
          tools: [{ type: "function", name: "f", parameters: { type: "object" } }],
        },
        { type: "response.cancel" },
      ]),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 500 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
  );

  const socket: Target<(string | Buffer)[]> = {
    name: "websocket-frames",
    level: "http",
    parallel: 2,
    input: fc.array(frame, { minLength: 1, maxLength: 3 }),
    run: (frames) => socketRun(gw.url, frames),
    describe: (frames) =>
      frames.map((f) => (typeof f === "string" ? f.slice(0, 300) : `<${f.length} binary bytes>`)).join(" | "),
  };

  return [inbound, codings, answers, socket] as Target<never>[];
}

/** A frame that ends a turn (or answers a frame that starts none). */
const TERMINAL = new Set(["response.completed", "response.failed", "response.incomplete", "error"]);

/**
 * Opens a socket, sends the frames, and waits until each has been answered (a turn's end or an error frame) or
 * the socket closed. A finding: an error frame of status 500 or more (not 502–504), a close code of 1011.
 */
function socketRun(base: string, frames: (string | Buffer)[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace(/^http/, "ws")}/v1/responses`, { perMessageDeflate: true });
    let answered = 0;
    // `response.processed` is the client saying it read an answer: nothing comes back for it.
    const expected = frames.filter(
      (f) => !(typeof f === "string" && /^\s*\{\s*"type"\s*:\s*"response\.processed"\s*[,}]/.test(f)),
    ).length;
    let finding: string | undefined;
    const done = (words: string | undefined) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on("error", () => undefined);
      ws.terminate();
      resolve(words);
    };
    const timer = setTimeout(() => done(`no answer to ${expected - answered} of ${expected} frames in 45 s`), 45_000);
    ws.on("error", (err) =>
      done(
        finding ?? (err.message.includes("Unexpected server response: 5") ? `5xx: upgrade ${err.message}` : undefined),
      ),
    );
    ws.on("open", () => {
      for (const f of frames) ws.send(f);
      if (expected === 0) setTimeout(() => done(finding), 50);
    });
    ws.on("message", (data) => {
      let f: { type?: string; status?: number };
      try {
        f = JSON.parse(String(data)) as typeof f;
      } catch {
        return done("a frame that is not JSON");
      }
      if (f.type === "error" && typeof f.status === "number") finding ??= verdict(f.status, "error frame");
      if (f.type && TERMINAL.has(f.type) && ++answered >= expected) done(finding);
    });
    ws.on("close", (code) => done(finding ?? (code === 1011 ? "5xx: socket closed 1011 (internal error)" : undefined)));
  });
}
