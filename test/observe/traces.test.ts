/**
 * OpenTelemetry traces, on through the standard OTLP environment variables: a real OTLP/HTTP receiver
 * (node:http) takes what the official exporter sends; the protobuf export is decoded with protobufjs and
 * the official opentelemetry-proto definitions (test/fixtures/otlp-proto), the JSON export with JSON.parse.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import OpenAI from "openai";
import protobuf from "protobufjs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

interface Attr {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number | string;
  attributes: Attr[];
  status?: { code?: number | string };
}

const PROTO = join(import.meta.dirname, "../fixtures/otlp-proto");

function exportRequestType(): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO, target);
  root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: false });
  return root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
}

/** An OTLP/HTTP trace receiver: collects every span it is sent, with the service name of its resource. */
async function receiver(): Promise<{
  url: string;
  spans: OtlpSpan[];
  services: string[];
  types: string[];
  server: Server;
}> {
  const type = exportRequestType();
  const spans: OtlpSpan[] = [];
  const services: string[] = [];
  const types: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const ct = String(req.headers["content-type"]);
      types.push(ct);
      // biome-ignore lint/suspicious/noExplicitAny: the decoded OTLP message is walked as plain JSON
      const msg: any = ct.includes("protobuf")
        ? type.toObject(type.decode(body), { longs: String, bytes: String, enums: Number, defaults: false })
        : JSON.parse(body.toString("utf8"));
      for (const rs of msg.resourceSpans ?? []) {
        const svc = (rs.resource?.attributes ?? []).find((a: Attr) => a.key === "service.name");
        if (svc) services.push(svc.value.stringValue);
        for (const ss of rs.scopeSpans ?? []) spans.push(...ss.spans);
      }
      res.writeHead(200, { "content-type": ct.includes("protobuf") ? "application/x-protobuf" : "application/json" });
      res.end(ct.includes("protobuf") ? Buffer.alloc(0) : "{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, services, types, server };
}

function attr(span: OtlpSpan, key: string): string | number | boolean | undefined {
  const a = span.attributes.find((x) => x.key === key);
  if (!a) return undefined;
  const v = a.value;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.boolValue !== undefined) return v.boolValue;
  return v.doubleValue;
}

for (const protocol of ["http/protobuf", "http/json"] as const) {
  describe(`traces over OTLP ${protocol}`, () => {
    let rx: Awaited<ReturnType<typeof receiver>>;
    let h: Harness;
    beforeEach(async () => {
      rx = await receiver();
      vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", rx.url);
      vi.stubEnv("OTEL_EXPORTER_OTLP_PROTOCOL", protocol);
      vi.stubEnv("OTEL_SERVICE_NAME", "llmux-under-test");
      h = await startHarness(() => ({
        models: {
          routed: {
            deployments: [
              { provider: "openai-chat", model: "gpt-4.1", name: "first" },
              { provider: "anthropic", model: "claude-sonnet-4-5", name: "second" },
            ],
            routing: { strategy: "weighted", retries: 2 },
          },
        },
      }));
    });
    afterEach(async () => {
      await h.close();
      vi.unstubAllEnvs();
      rx.server.close();
    });

    it("one server span per request, one client span per upstream attempt, with GenAI attributes", async () => {
      const openai = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
      await openai.chat.completions.create({ model: "via-anthropic", messages: [{ role: "user", content: "hi" }] });
      // A retry: the first deployment picked answers 503, the other one answers.
      h.mock.enqueue({ httpError: { status: 503, message: "overloaded" } });
      await openai.chat.completions.create(
        { model: "routed", messages: [{ role: "user", content: "hi" }] },
        { headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } },
      );
      await h.gateway.close(); // flushes the batch of spans
      expect(rx.types[0]).toContain(protocol === "http/json" ? "json" : "protobuf");
      expect(rx.services).toContain("llmux-under-test");

      const servers = rx.spans.filter((s) => attr(s, "http.request.method") === "POST");
      expect(servers).toHaveLength(2);
      const plain = servers.find((s) => attr(s, "gen_ai.request.model") === "via-anthropic")!;
      expect(plain.name).toBe("chat via-anthropic");
      expect([2, "SPAN_KIND_SERVER"]).toContain(plain.kind);
      expect(attr(plain, "gen_ai.operation.name")).toBe("chat");
      expect(attr(plain, "gen_ai.provider.name")).toBe("anthropic");
      expect(attr(plain, "gen_ai.system")).toBe("anthropic");
      expect(attr(plain, "gen_ai.response.model")).toBe("claude-sonnet-4-5");
      expect(attr(plain, "gen_ai.usage.input_tokens")).toBeGreaterThan(0);
      expect(attr(plain, "gen_ai.usage.output_tokens")).toBeGreaterThan(0);
      expect(attr(plain, "http.response.status_code")).toBe(200);
      expect(Number(attr(plain, "llmux.overhead_ms"))).toBeGreaterThan(0);

      const children = rx.spans.filter((s) => s.parentSpanId === plain.spanId);
      expect(children).toHaveLength(1);
      const call = children[0]!;
      expect(call.traceId).toBe(plain.traceId);
      expect(call.name).toBe("chat claude-sonnet-4-5");
      expect([3, "SPAN_KIND_CLIENT"]).toContain(call.kind);
      expect(attr(call, "gen_ai.request.model")).toBe("claude-sonnet-4-5");
      expect(attr(call, "gen_ai.response.model")).toBe("claude-sonnet-4-5");
      expect(attr(call, "gen_ai.provider.name")).toBe("anthropic");
      expect(attr(call, "server.address")).toBe("127.0.0.1");
      expect(attr(call, "gen_ai.usage.output_tokens")).toBe(attr(plain, "gen_ai.usage.output_tokens"));

      // The routed request continues the caller's trace, and has two attempts: the 503, then the answer.
      const routed = servers.find((s) => attr(s, "gen_ai.request.model") === "routed")!;
      const hex = (id: string) => (/^[0-9a-f]+$/.test(id) ? id : Buffer.from(id, "base64").toString("hex"));
      expect(hex(routed.traceId)).toBe("0af7651916cd43dd8448eb211c80319c");
      expect(hex(routed.parentSpanId!)).toBe("b7ad6b7169203331");
      const attempts = rx.spans.filter((s) => s.parentSpanId === routed.spanId);
      expect(attempts).toHaveLength(2);
      const statuses = attempts.map((a) => attr(a, "http.response.status_code")).sort();
      expect(statuses).toEqual([200, 503]);
      const failed = attempts.find((a) => attr(a, "http.response.status_code") === 503)!;
      expect(attr(failed, "error.type")).toBe("503");
      expect([2, "STATUS_CODE_ERROR"]).toContain(failed.status?.code);
    });
  });
}

describe("traces off", () => {
  it("sends nothing and loads no OpenTelemetry SDK without an OTLP endpoint", async () => {
    const rx = await receiver();
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "");
    vi.stubEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "");
    const h = await startHarness();
    try {
      await fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "via-anthropic", messages: [{ role: "user", content: "hi" }] }),
      });
      await h.gateway.close();
      expect(rx.spans).toHaveLength(0);
      // biome-ignore lint/suspicious/noExplicitAny: a private field read to check nothing was started
      expect((h.gateway.observe as any).tracingReady).toBeUndefined();
    } finally {
      await h.close();
      vi.unstubAllEnvs();
      rx.server.close();
    }
  });
});
