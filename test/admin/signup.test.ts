/** Self-service signup: the upstream key is checked with one call, stored encrypted, and a key bound to it answered. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createLogger } from "../../src/log/logger.js";
import { Gateway } from "../../src/server/gateway.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { call, chat, MASTER } from "../support/team.js";

const GOOD = "sk-brought-GOOD-4b1d2f";

/** An OpenAI-like upstream that knows one key: GET /v1/models checks it; chat answers a short stream. */
async function upstream(): Promise<{ url: string; server: Server; auth: string[] }> {
  const auth: string[] = [];
  const server = createServer((req, res) => {
    const key = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    auth.push(`${req.method} ${req.url} ${key}`);
    if (key !== GOOD) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":{"message":"bad key"}}');
      return;
    }
    if (req.method === "GET" && req.url === "/v1/models") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"object":"list","data":[]}');
      return;
    }
    let raw = "";
    req.on("data", (c: Buffer) => {
      raw += c.toString();
    });
    req.on("end", () => {
      if (!(JSON.parse(raw) as { stream?: boolean }).stream) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            id: "c1",
            object: "chat.completion",
            created: 1,
            model: "m",
            choices: [{ index: 0, message: { role: "assistant", content: "yours" }, finish_reason: "stop" }],
          }),
        );
        return;
      }
      const chunk = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`${chunk({ role: "assistant", content: "yours" }, null)}${chunk({}, "stop")}data: [DONE]\n\n`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, auth };
}

describe.each(ENGINES)("signup on $engine", ({ fresh }) => {
  let where: TestLocation;
  let up: Awaited<ReturnType<typeof upstream>>;
  let gateway: Gateway;
  let url: string;
  beforeAll(async () => {
    where = await fresh();
    up = await upstream();
    const config = parseConfig(
      {
        store: where.url ? { url: where.url } : { path: where.path },
        auth: { keys: ["svc-key-0123456789"] },
        secrets: { master_key: MASTER },
        signup: { enabled: true, providers: ["byo"], per_hour: 4 },
        providers: {
          byo: { type: "openai", base_url: `${up.url}/v1`, api: "chat" },
          other: { type: "openai", base_url: `${up.url}/v1`, api_key: "x", api: "chat" },
        },
        models: { "byo-model": { provider: "byo", model: "m" }, "other-model": { provider: "other", model: "m" } },
        logging: { level: "silent" },
      },
      {},
    );
    gateway = new Gateway(config, createLogger("silent", false));
    url = `http://127.0.0.1:${(await gateway.listen(0, "127.0.0.1")).port}`;
  });
  afterAll(async () => {
    await gateway.close();
    up.server.close();
    await where.drop();
  });

  it("verifies the brought key, answers a key bound to it, and its requests carry it upstream", async () => {
    const bad = await call(url, "POST", "/v1/signup", undefined, { provider: "byo", api_key: "sk-wrong" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("api_key");
    expect(
      (await call(url, "POST", "/v1/signup", undefined, { provider: "other", api_key: GOOD })).body.error.field,
    ).toBe("provider");
    const ok = await call(url, "POST", "/v1/signup", undefined, { provider: "byo", api_key: GOOD });
    expect(ok.status).toBe(201);
    expect(ok.body.models).toEqual(["byo-model"]);
    expect(up.auth.filter((a) => a.startsWith("GET /v1/models"))).toHaveLength(2);

    const r = await chat({ url }, ok.body.key, "byo-model");
    expect(r.status).toBe(200);
    expect(r.body.choices[0].message.content).toBe("yours");
    expect(up.auth.at(-1)).toBe(`POST /v1/chat/completions ${GOOD}`);
    expect((await chat({ url }, ok.body.key, "other-model")).status).toBe(403);

    // Rate-limited per address: 4 per hour, 3 used.
    expect((await call(url, "POST", "/v1/signup", undefined, { provider: "byo", api_key: GOOD })).status).toBe(201);
    const limited = await call(url, "POST", "/v1/signup", undefined, { provider: "byo", api_key: GOOD });
    expect(limited.status).toBe(429);
  });
});
