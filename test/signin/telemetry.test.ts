import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTLP_FIELDS_MAX, stampJson, stampProtobuf } from "../../src/signin/otlp-stamp.js";
import { digest } from "../../src/signin/tokens.js";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { type FakeIssuer, startFakeIssuer } from "../ui/support/fake-issuer.js";
import { signinConfig } from "./support/signin-gateway.js";

// A minimal protobuf walk for the test: the fields of a message as [field number, bytes] (length-delimited only).
function fields(b: Buffer): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  let i = 0;
  const varint = () => {
    let v = 0;
    let m = 1;
    for (;;) {
      const byte = b[i++]!;
      v += (byte & 0x7f) * m;
      if (byte < 0x80) return v;
      m *= 128;
    }
  };
  while (i < b.length) {
    const tag = varint();
    if ((tag & 7) !== 2) throw new Error("test walker reads length-delimited fields only");
    const len = varint();
    out.push([tag >>> 3, b.subarray(i, i + len)]);
    i += len;
  }
  return out;
}
const enc = (no: number, payload: Buffer) => Buffer.concat([Buffer.from([(no << 3) | 2, payload.length]), payload]);
const kv = (k: string, v: string) => enc(1, Buffer.concat([enc(1, Buffer.from(k)), enc(2, enc(1, Buffer.from(v)))]));

/** Every resource attribute of every entry, merged the way protobuf parsers merge repeated embedded fields. */
function resourceAttributes(request: Buffer): Record<string, string>[] {
  return fields(request)
    .filter(([n]) => n === 1)
    .map(([, entry]) => {
      const attrs: Record<string, string> = {};
      for (const [n, resource] of fields(entry))
        if (n === 1)
          for (const [, pair] of fields(resource)) {
            const [[, key], [, value]] = fields(pair) as [[number, Buffer], [number, Buffer]];
            attrs[key.toString()] = fields(value)[0]![1].toString();
          }
      return attrs;
    });
}

describe("OTLP stamping (pure)", () => {
  it("adds the person's attributes to every entry's resource in protobuf, keeping what was there", () => {
    const spans = enc(2, Buffer.from("scope-spans-bytes"));
    const request = Buffer.concat([
      enc(1, Buffer.concat([enc(1, kv("service.name", "claude-code")), spans])),
      enc(1, spans),
    ]);
    const out = stampProtobuf(request, { "user.email": "ada@example.com" });
    expect(resourceAttributes(out)).toEqual([
      { "service.name": "claude-code", "user.email": "ada@example.com" },
      { "user.email": "ada@example.com" },
    ]);
    // The rest of each entry is untouched.
    expect(
      fields(fields(out)[0]![1])
        .find(([n]) => n === 2)![1]
        .toString(),
    ).toBe("scope-spans-bytes");
  });

  it("copies what is not an entry as it is, fields of every wire type, and stamps every entry", () => {
    const request = Buffer.concat([
      Buffer.from([0x10, 0x96, 0x01]), // field 2, varint 150
      enc(1, enc(2, Buffer.from("a"))),
      Buffer.from([0x19, 1, 2, 3, 4, 5, 6, 7, 8]), // field 3, fixed64
      Buffer.from([0x25, 1, 2, 3, 4]), // field 4, fixed32
      enc(1, Buffer.alloc(0)),
      enc(5, Buffer.from("tail")),
    ]);
    const extra = enc(1, kv("k", "v"));
    const out = stampProtobuf(request, { k: "v" });
    expect(out).toEqual(
      Buffer.concat([
        Buffer.from([0x10, 0x96, 0x01]),
        enc(1, Buffer.concat([enc(2, Buffer.from("a")), extra])),
        Buffer.from([0x19, 1, 2, 3, 4, 5, 6, 7, 8]),
        Buffer.from([0x25, 1, 2, 3, 4]),
        enc(1, extra),
        enc(5, Buffer.from("tail")),
      ]),
    );
    expect(() => stampProtobuf(Buffer.alloc(2 * (OTLP_FIELDS_MAX + 1), Buffer.from([0x0a, 0x00])), {})).toThrow(
      `more than ${OTLP_FIELDS_MAX} fields`,
    );
  });

  it("adds them in OTLP/JSON too", () => {
    const out = stampJson(
      {
        resourceMetrics: [{ resource: { attributes: [{ key: "a", value: { stringValue: "b" } }] }, scopeMetrics: [] }],
      },
      "metrics",
      { "user.email": "ada@example.com" },
    ) as { resourceMetrics: { resource: { attributes: unknown[] } }[] };
    expect(out.resourceMetrics[0]!.resource.attributes).toEqual([
      { key: "a", value: { stringValue: "b" } },
      { key: "user.email", value: { stringValue: "ada@example.com" } },
    ]);
  });
});

describe("OTLP from signed-in clients is relayed to the collector, stamped with who sent it", {
  timeout: 60_000,
}, () => {
  let issuer: FakeIssuer;
  let loc: TestLocation;
  let h: Harness;
  let collector: Server;
  const received: { path: string; type: string; body: Buffer }[] = [];

  beforeAll(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ path: req.url ?? "", type: req.headers["content-type"] ?? "", body: Buffer.concat(chunks) });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
    issuer = await startFakeIssuer();
    loc = await freshSqlite();
    h = await startHarness(() => ({
      store: { path: loc.path },
      logging: { level: "warn" },
      signin: {
        ...signinConfig(issuer),
        telemetry_endpoint: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
      },
    }));
  });
  afterAll(async () => {
    await h?.close();
    await issuer?.close();
    await new Promise<void>((r) => collector.close(() => r()));
  });

  it("forwards protobuf (gzip) and JSON exports with the person's email, subject and team", async () => {
    const store = h.gateway.signin!.store;
    const teamId = await store.teamIdByName("data");
    const now = Math.floor(Date.now() / 1000);
    await store.createSession({
      identity: { subject: "sub-ada", email: "ada@example.com", name: "Ada", groups: ["data-team"] },
      teamId,
      surface: "claude_code",
      userAgent: "test",
      accessHash: digest("lxs-telemetry-test-token"),
      accessExpiresAt: now + 600,
      refreshHash: digest("lxr-telemetry-test-token"),
      expiresAt: now + 3600,
    });
    const auth = { authorization: "Bearer lxs-telemetry-test-token" };
    const proto = enc(1, enc(1, kv("service.name", "claude-code")));
    const a = await fetch(`${h.url}/v1/traces`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/x-protobuf", "content-encoding": "gzip" },
      body: gzipSync(proto),
    });
    expect(a.status).toBe(200);
    await h.gateway.signin!.relayed;
    const b = await fetch(`${h.url}/v1/metrics`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ resourceMetrics: [{ resource: { attributes: [] }, scopeMetrics: [] }] }),
    });
    expect(b.status).toBe(200);
    await h.gateway.signin!.relayed;

    expect(received.map((r) => r.path)).toEqual(["/v1/traces", "/v1/metrics"]);
    expect(resourceAttributes(received[0]!.body)).toEqual([
      {
        "service.name": "claude-code",
        "user.email": "ada@example.com",
        "enduser.id": "sub-ada",
        "llmux.team_id": teamId,
        "llmux.team": "data",
        "llmux.signin_session": expect.stringMatching(/^sgn_/),
      },
    ]);
    const json = JSON.parse(received[1]!.body.toString()) as {
      resourceMetrics: { resource: { attributes: { key: string }[] } }[];
    };
    expect(json.resourceMetrics[0]!.resource.attributes.map((x) => x.key)).toContain("user.email");

    // Without a sign-in token: refused, nothing forwarded.
    const c = await fetch(`${h.url}/v1/logs`, { method: "POST", body: "{}" });
    expect(c.status).toBe(401);
    expect(received).toHaveLength(2);
  });

  it("refuses a gzip bomb of tiny fields at the 8 MB cap (413) and a body of too many fields (400), with bounded memory, serving /health meanwhile", async () => {
    const store = h.gateway.signin!.store;
    const now = Math.floor(Date.now() / 1000);
    await store.createSession({
      identity: { subject: "sub-bob", email: "bob@example.com", name: "Bob", groups: ["data-team"] },
      teamId: await store.teamIdByName("data"),
      surface: "claude_code",
      userAgent: "test",
      accessHash: digest("lxs-telemetry-bomb-token"),
      accessExpiresAt: now + 600,
      refreshHash: digest("lxr-telemetry-bomb-token"),
      expiresAt: now + 3600,
    });
    const headers = { authorization: "Bearer lxs-telemetry-bomb-token", "content-type": "application/x-protobuf" };
    const forwarded = received.length;
    // 64 MB of two-byte fields (field 2, empty), about 64 KB gzipped.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, Buffer.from([0x12, 0x00])), { level: 9 });
    expect(bomb.length).toBeLessThan(80 * 1024);
    const before = process.memoryUsage().rss;
    const [refused, health] = await Promise.all([
      fetch(`${h.url}/v1/logs`, { method: "POST", headers: { ...headers, "content-encoding": "gzip" }, body: bomb }),
      fetch(`${h.url}/health`),
    ]);
    const body = (await refused.json()) as { type: string; error: { type: string; message: string } };
    expect(refused.status).toBe(413);
    expect(body).toMatchObject({ type: "error", error: { type: "request_too_large" } });
    expect(body.error.message).toContain("8 MB");
    expect(health.status).toBe(200);
    // Inflating stops at the cap: the process grew by little more than it (it grew by gigabytes).
    expect(process.memoryUsage().rss - before).toBeLessThan(160 * 1024 * 1024);

    // 200 KB of the same tiny fields, not compressed: past the field bound, refused before any is stamped.
    const tiny = Buffer.alloc(200 * 1024, Buffer.from([0x12, 0x00]));
    const many = await fetch(`${h.url}/v1/logs`, { method: "POST", headers, body: tiny });
    expect(many.status).toBe(400);
    expect(((await many.json()) as { error: { message: string } }).error.message).toContain(
      `more than ${OTLP_FIELDS_MAX} fields`,
    );
    expect(received.length).toBe(forwarded);
  });
});
