/**
 * One capture of a request's four bodies serves both readers: with body logging and recording on together,
 * the request log's bodies and the recording's files come from the same capture and say the same thing (the
 * client's answer is wrapped once); with neither on, nothing is captured and `res.write` is left alone.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { Observe } from "../../src/observe/observe.js";
import { openExchange } from "../../src/pipeline/exchange.js";
import { createProviders } from "../../src/providers/index.js";
import { Trail } from "../../src/request/trail.js";
import { ModelTable } from "../../src/routing/model-table.js";
import { startHarness, tempStorePath } from "../support/gateway.js";
import { ADMIN, call } from "../support/team.js";

const SERVICE = "svc-key-for-the-capture-test";

describe("the capture of a request's bodies", () => {
  it("feeds the request log and the recording from one capture", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-cap-"));
    const h = await startHarness(() => ({
      auth: { keys: [SERVICE] },
      admin: { keys: [ADMIN] },
      logging: { bodies: "all", record: { dir, keep_text: true } },
    }));
    let id: string;
    try {
      h.mock.enqueue({ blocks: [{ type: "text", text: "Captured once, read twice." }] });
      const sdk = new OpenAI({ apiKey: SERVICE, baseURL: `${h.url}/v1`, maxRetries: 0 });
      const r = await sdk.chat.completions
        .create({ model: "via-anthropic", messages: [{ role: "user", content: "capture me" }], stream: true })
        .withResponse();
      id = r.response.headers.get("x-request-id")!;
      for await (const _ of r.data);
      await h.gateway.requestLog!.flush();
      const detail = await call(h.url, "GET", `/admin/v1/requests/${id}`, ADMIN);
      expect(detail.status).toBe(200);
      const bodies = detail.body.bodies;
      const [exchange] = readdirSync(dir);
      const file = (name: string) => readFileSync(join(dir, exchange!, name), "utf8");
      // The same bytes reached both: the client's request and the upstream's raw (Anthropic) stream.
      expect(JSON.parse(file("downstream_request.json"))).toEqual(JSON.parse(bodies.client_request));
      expect(JSON.parse(file("upstream_request.json"))).toEqual(JSON.parse(bodies.upstream_request));
      const deltas = (text: string) => text.match(/event: content_block_delta/g)?.length ?? 0;
      expect(bodies.upstream_response).toContain("event: message_start");
      expect(file("upstream_response.sse")).toContain("event: message_stop");
      expect(deltas(bodies.upstream_response)).toBeGreaterThan(1);
      expect(deltas(file("upstream_response.sse"))).toBe(deltas(bodies.upstream_response));
      // What the client was sent, kept once (not twice by two wrappers of res.write).
      expect(bodies.client_response.match(/data: \[DONE\]/g)).toHaveLength(1);
      expect(file("downstream_response.sse").match(/data: \[DONE\]/g)).toHaveLength(1);
      // The caller's key is in neither.
      expect(JSON.stringify(bodies)).not.toContain(SERVICE);
    } finally {
      await h.close();
    }
    expect(readdirSync(dir).join("\n")).not.toContain(SERVICE);
  });

  it("captures nothing, and leaves res.write alone, when nothing reads the bodies", () => {
    const config = parseConfig(
      { store: { path: tempStorePath() }, providers: {}, models: {}, logging: { bodies: "off" } },
      {},
    );
    const observe = new Observe(config, pino({ level: "silent" }), new ModelTable({}, createProviders(config)));
    const fresh = () => {
      const req = new IncomingMessage(new Socket());
      return openExchange(req, new ServerResponse(req), new Trail("r", "POST", "/v1/messages"));
    };
    const off = fresh();
    observe.begin(off, 0);
    expect(off.trail.capture).toBeUndefined();
    expect(off.res.write).toBe(ServerResponse.prototype.write);
    // The request log asking for 64 KiB of each body: captured, the answer watched.
    const on = fresh();
    observe.begin(on, 64 * 1024);
    expect(on.trail.capture).toBeDefined();
    expect(on.res.write).not.toBe(ServerResponse.prototype.write);
  });
});
