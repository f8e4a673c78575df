/**
 * Where the cloud providers send each call, by configuration alone (no fake in between): Vertex's regional
 * and global hosts, its Gemini and Claude publishers, streamed and not; Bedrock's regional endpoint, its
 * Converse and InvokeModel operations, model ids and inference profiles percent-encoded in the path.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { Warnings } from "../../src/ir/warnings.js";
import { createProviders, type Provider } from "../../src/providers/index.js";
import type { CallContext } from "../../src/providers/types.js";

function provider(settings: Record<string, unknown>, model: string): Provider {
  const config = parseConfig({ providers: { p: settings } }, {});
  const p = createProviders(config).get("p")!;
  return p.forModel?.(model) ?? p;
}

function target(p: Provider, model: string, stream = true, extra: Partial<CallContext> = {}) {
  return p.target(model, { stream, clientHeaders: {}, sameDialect: false, warnings: new Warnings(), ...extra });
}

describe("vertex", () => {
  it("Gemini models on the global host, through the Gemini dialect", () => {
    const p = provider({ type: "vertex", project: "my-proj" }, "gemini-2.5-pro");
    expect(p.dialect).toBe("gemini");
    expect(target(p, "gemini-2.5-pro").url).toBe(
      "https://aiplatform.googleapis.com/v1/projects/my-proj/locations/global/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
    );
    expect(target(p, "gemini-2.5-pro", false).url).toMatch(/:generateContent$/);
  });

  it("Claude models on a region's host, through the Anthropic dialect", () => {
    const p = provider({ type: "vertex", project: "my-proj", region: "us-east5" }, "claude-sonnet-4-5@20250929");
    expect(p.dialect).toBe("anthropic");
    expect(p.type).toBe("vertex");
    expect(target(p, "claude-sonnet-4-5@20250929").url).toBe(
      "https://us-east5-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict",
    );
    expect(target(p, "claude-sonnet-4-5@20250929", false).url).toMatch(/:rawPredict$/);
  });

  it("an endpoint of one's own, and the caller's own token with pass-through", () => {
    const p = provider(
      {
        type: "vertex",
        project: "p",
        region: "europe-west1",
        base_url: "https://vertex.internal.example/",
        api_version: "v1beta1",
      },
      "gemini-2.5-flash",
    );
    const t = target(p, "gemini-2.5-flash", true, { callerKey: "ya29.caller" });
    expect(t.url).toBe(
      "https://vertex.internal.example/v1beta1/projects/p/locations/europe-west1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
    );
    expect(t.headers.authorization).toBe("Bearer ya29.caller");
  });
});

describe("bedrock", () => {
  const keys = { access_key_id: "AKIDEXAMPLE", secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

  it("Converse on the region's endpoint, the inference profile id percent-encoded", () => {
    const p = provider({ type: "bedrock", region: "eu-central-1", ...keys }, "x");
    expect(p.dialect).toBe("bedrock-converse");
    expect(target(p, "eu.anthropic.claude-sonnet-4-5-20250929-v1:0").url).toBe(
      "https://bedrock-runtime.eu-central-1.amazonaws.com/model/eu.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream",
    );
    expect(target(p, "amazon.nova-pro-v1:0", false).url).toMatch(/\/model\/amazon\.nova-pro-v1%3A0\/converse$/);
    const arn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/abc123";
    expect(target(p, arn).url).toContain(`/model/${encodeURIComponent(arn)}/converse-stream`);
  });

  it("InvokeModel with Anthropic's body, for Claude only", () => {
    const p = provider({ type: "bedrock", region: "us-west-2", api: "invoke", ...keys }, "x");
    expect(p.dialect).toBe("anthropic");
    expect(target(p, "us.anthropic.claude-opus-4-1-20250805-v1:0").url).toBe(
      "https://bedrock-runtime.us-west-2.amazonaws.com/model/us.anthropic.claude-opus-4-1-20250805-v1%3A0/invoke-with-response-stream",
    );
    expect(p.modelProblem?.("us.anthropic.claude-opus-4-1-20250805-v1:0")).toBeUndefined();
    expect(p.modelProblem?.("meta.llama3-3-70b-instruct-v1:0")).toMatch(/Claude models only/);
  });

  it("a Bedrock API key is a bearer token", () => {
    const p = provider({ type: "bedrock", region: "us-east-1", api_key: "ABSK-example" }, "x");
    expect(target(p, "amazon.nova-lite-v1:0").headers.authorization).toBe("Bearer ABSK-example");
  });
});
