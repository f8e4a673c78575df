/**
 * One error-class vocabulary: the same requests (an answer, an upstream 429 and 500, a stream that breaks
 * with the upstream overloaded, an unknown model, wrong keys) get the same class in the request log's
 * `error_class` column and in the metrics' `error_class` label (read by an independent Prometheus parser),
 * and the OpenAPI of GET /admin/v1/requests lists exactly the classes the server uses.
 */
import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CLASSES as ROUTING_CLASSES } from "../../src/config/routing-defaults.js";
import { ERROR_CLASSES } from "../../src/request/error-class.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { Scrape } from "../support/prometheus.js";
import { ADMIN, call } from "../support/team.js";

const SERVICE = "svc-key-for-the-error-classes";

/** An Anthropic stream that starts, then fails with overloaded_error. */
const BROKEN = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"usage":{"input_tokens":5,"output_tokens":1}}}',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Half an ans"}}',
  'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
]
  .map((e) => `${e}\n\n`)
  .join("");

describe("the error classes of the request log, the metrics and the API", () => {
  let h: Harness;
  let rows: { error_class: string | null; status: number }[];
  let scrape: Scrape;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth: { keys: [SERVICE] }, admin: { keys: [ADMIN] } }));
    const sdk = new OpenAI({ apiKey: SERVICE, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const ask = (model: string, stream = false) =>
      sdk.chat.completions
        .create({ model, messages: [{ role: "user", content: "x" }], stream })
        .then(async (r) => {
          if (stream) for await (const _ of r as AsyncIterable<unknown>);
        })
        .catch(() => undefined);
    await ask("via-openai-chat");
    h.mock.enqueue({ httpError: { status: 429, message: "slow down" } });
    await ask("via-anthropic");
    h.mock.enqueue({ httpError: { status: 500, message: "broke" } });
    await ask("via-openai-chat");
    h.mock.enqueue({ raw: BROKEN });
    await ask("via-anthropic", true);
    await ask("no-such-model");
    await new OpenAI({ apiKey: "not-a-key-at-all", baseURL: `${h.url}/v1`, maxRetries: 0 }).chat.completions
      .create({ model: "via-openai-chat", messages: [{ role: "user", content: "x" }] })
      .catch(() => undefined);
    await h.gateway.requestLog!.flush();
    rows = (await call(h.url, "GET", "/admin/v1/requests?limit=500", ADMIN)).body.rows;
    const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
    scrape = await Scrape.parse(await res.text());
  }, 60_000);
  afterAll(() => h.close());

  it("names each failure as the stage that failed it saw it", () => {
    const classes = rows.map((r) => r.error_class).sort();
    expect(classes).toEqual(["auth", "not_found", "overloaded", "rate_limited", "server", null].sort());
  });

  it("gives the metrics' error_class label the same class as the request log's row", () => {
    for (const cls of ["auth", "not_found", "overloaded", "rate_limited", "server"]) {
      const logged = rows.filter((r) => r.error_class === cls);
      expect(scrape.sum("llmux_requests_total", { error_class: cls }), cls).toBe(logged.length);
      for (const r of logged)
        expect(scrape.sum("llmux_requests_total", { error_class: cls, status: String(r.status) }), cls).toBe(1);
    }
    const labels = new Set(scrape.samples("llmux_requests_total").map((m) => m.labels.error_class));
    expect(labels.size).toBeGreaterThan(5);
    for (const l of labels) expect([...ERROR_CLASSES, "none"]).toContain(l);
  });

  it("lists the classes in the OpenAPI of GET /admin/v1/requests", async () => {
    const doc = (await call(h.url, "GET", "/admin/v1/openapi.json", ADMIN)).body;
    const params = doc.paths["/admin/v1/requests"].get.parameters as { name: string; schema: { enum?: string[] } }[];
    expect(params.find((p) => p.name === "error_class")!.schema.enum).toEqual([...ERROR_CLASSES]);
  });

  it("are routing's classes and llmux's own, each listed in docs/observability.md", () => {
    expect(ERROR_CLASSES.slice(0, ROUTING_CLASSES.length)).toEqual([...ROUTING_CLASSES]);
    const doc = readFileSync(new URL("../../docs/observability.md", import.meta.url), "utf8");
    const table = doc.slice(doc.indexOf("## Error classes"), doc.indexOf("## Bodies"));
    expect([...table.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1])).toEqual([...ERROR_CLASSES]);
  });
});
