/**
 * The telemetry relay's identity is llmux's alone: a client's own `user.email`, `llmux.team`… resource
 * attributes are removed before the stamped ones are added, so a collector that reads the first value (or the
 * last, or all) sees only the signed-in person. Decoded with protobufjs and the official opentelemetry-proto
 * definitions, as a collector would.
 */
import { join } from "node:path";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { stampJson, stampProtobuf } from "../../src/signin/otlp-stamp.js";

const PROTO = join(import.meta.dirname, "../fixtures/otlp-proto");

function exportRequestType(): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO, target);
  root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: false });
  return root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
}

const STAMP = { "user.email": "ada@example.com", "llmux.team": "data", "llmux.signin_session": "sgn_1" };
const FORGED = [
  { key: "service.name", value: { stringValue: "claude-code" } },
  { key: "user.email", value: { stringValue: "eve@evil.example" } },
  { key: "llmux.team", value: { stringValue: "forged" } },
  { key: "llmux.team_id", value: { stringValue: "team_forged" } },
];

type Attr = { key: string; value: { stringValue: string } };

describe("the relay removes a client's own identity attributes", () => {
  it("protobuf: each identity attribute appears once, with the stamped value; the client's others are kept", () => {
    const type = exportRequestType();
    const request = type.encode(
      type.fromObject({
        resourceSpans: [
          { resource: { attributes: FORGED }, scopeSpans: [{ scope: { name: "s" }, spans: [] }] },
          // A second resource in the same entry (merged by parsers) carrying another forged email.
          { resource: { attributes: [{ key: "user.email", value: { stringValue: "mallory@evil.example" } }] } },
        ],
      }),
    );
    const bytes = Buffer.from(request.finish());
    const out = type.toObject(type.decode(stampProtobuf(bytes, STAMP))) as {
      resourceSpans: { resource: { attributes: Attr[] }; scopeSpans?: { scope: { name: string } }[] }[];
    };
    for (const entry of out.resourceSpans) {
      const attrs = entry.resource.attributes;
      const keys = attrs.map((a) => a.key);
      for (const k of ["user.email", "llmux.team", "llmux.signin_session"])
        expect(
          keys.filter((x) => x === k),
          k,
        ).toHaveLength(1);
      expect(keys).not.toContain("llmux.team_id");
      const value = (k: string) => attrs.find((a) => a.key === k)?.value.stringValue;
      expect(value("user.email")).toBe("ada@example.com");
      expect(value("llmux.team")).toBe("data");
      expect(JSON.stringify(attrs)).not.toMatch(/evil\.example|forged/);
    }
    expect(out.resourceSpans[0]!.resource.attributes[0]).toEqual(FORGED[0]);
    expect(out.resourceSpans[0]!.scopeSpans?.[0]?.scope.name).toBe("s");
  });

  it("JSON: the same", () => {
    const out = stampJson(
      { resourceSpans: [{ resource: { attributes: FORGED }, scopeSpans: [] }] },
      "traces",
      STAMP,
    ) as {
      resourceSpans: { resource: { attributes: Attr[] } }[];
    };
    const attrs = out.resourceSpans[0]!.resource.attributes;
    expect(attrs.map((a) => a.key)).toEqual(["service.name", "user.email", "llmux.team", "llmux.signin_session"]);
    expect(attrs.find((a) => a.key === "user.email")?.value.stringValue).toBe("ada@example.com");
  });
});
