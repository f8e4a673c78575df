/**
 * Gateway protocol, "Feature pass-through": a capability is a beta value and the body fields it pairs with.
 * To Claude on Bedrock (InvokeModel) and Vertex (rawPredict), which accept a subset, llmux keeps, renames or
 * drops both halves together and says so in `llmux-warnings`; to upstreams of another schema (Chat,
 * Responses, Gemini) the fields are translated or dropped with a warning, and no beta header is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BedrockFake, makeAwsKey, startBedrockFake } from "../support/bedrock-fake.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { startVertexFake, type VertexFake } from "../support/vertex-fake.js";
import { INVENTED, RECORDED, recorded } from "./recorded.js";

let bedrock: BedrockFake;
let vertex: VertexFake;
let h: Harness;
const CLAUDE_BEDROCK = "us.anthropic.claude-opus-4-6-v1:0";
const CLAUDE_VERTEX = "claude-opus-4-6@20260101";

beforeAll(async () => {
  bedrock = await startBedrockFake("us-east-1");
  const key = makeAwsKey();
  bedrock.keys.push(key);
  vertex = await startVertexFake();
  h = await startHarness(() => ({
    providers: {
      "bedrock-invoke": {
        type: "bedrock",
        api: "invoke",
        region: "us-east-1",
        base_url: bedrock.url,
        access_key_id: key.accessKeyId,
        secret_access_key: key.secretAccessKey,
      },
      "bedrock-open": {
        type: "bedrock",
        api: "invoke",
        region: "us-east-1",
        base_url: bedrock.url,
        access_key_id: key.accessKeyId,
        secret_access_key: key.secretAccessKey,
        betas: ["context-management-2025-06-27", INVENTED.beta],
      },
      vertex: {
        type: "vertex",
        project: "llmux-test",
        region: "us-east5",
        base_url: vertex.url,
        credentials: JSON.stringify(vertex.key),
      },
    },
    models: {
      "on-bedrock": { provider: "bedrock-invoke", model: CLAUDE_BEDROCK },
      "on-bedrock-open": { provider: "bedrock-open", model: CLAUDE_BEDROCK },
      "on-vertex": { provider: "vertex", model: CLAUDE_VERTEX },
    },
  }));
});
afterAll(async () => {
  await h.close();
  await bedrock.close();
  await vertex.close();
});

const ok = { blocks: [{ type: "text" as const, text: "ok" }] };

/** The 2.1.330 request (context management, effort, tool search with defer_loading) for `alias`. */
function request(alias: string) {
  const req = recorded(RECORDED[0]);
  req.body.model = alias;
  req.body.tools[1].defer_loading = true;
  return req;
}

async function send(req: ReturnType<typeof request>): Promise<Response> {
  const res = await fetch(`${h.url}/v1/messages?beta=true`, {
    method: "POST",
    headers: req.headers,
    body: JSON.stringify(req.body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  await res.text();
  return res;
}

describe("feature pass-through to Claude on the clouds", () => {
  it("Bedrock: accepted betas go in anthropic_beta with their fields; the rest are dropped with theirs, reported", async () => {
    bedrock.enqueue({ script: ok });
    const res = await send(request("on-bedrock"));
    const call = bedrock.calls.at(-1)!;
    const betas = call.body.anthropic_beta as string[];
    // Kept with its field: context management, effort.
    expect(betas).toContain("context-management-2025-06-27");
    expect(call.body.context_management).toEqual({ edits: [{ keep: "all", type: "clear_thinking_20251015" }] });
    expect(betas).toContain("effort-2025-11-24");
    expect(call.body.output_config).toEqual({ effort: "medium" });
    // Renamed: Anthropic's tool search beta is Bedrock's tool-search-tool, and defer_loading stays.
    expect(betas).toContain("tool-search-tool-2025-10-19");
    expect(betas).not.toContain("advanced-tool-use-2025-11-20");
    expect((call.body.tools as { defer_loading?: boolean }[])[1]!.defer_loading).toBe(true);
    // Dropped: the invented beta and Claude Code's own ones Bedrock refuses; no header left behind.
    expect(betas).not.toContain(INVENTED.beta);
    expect(betas).not.toContain("claude-code-20250219");
    expect(call.headers["anthropic-beta"]).toBeUndefined();
    expect(call.headers["x-llmux-drop-fields"]).toBeUndefined();
    expect(res.headers.get("llmux-warnings")).toContain(INVENTED.beta);
    expect(res.headers.get("llmux-warnings")).toContain("Bedrock");
  });

  it("Bedrock: a dropped capability takes its body fields with it (never one half)", async () => {
    bedrock.enqueue({ script: ok });
    // This deployment accepts context management and the invented beta only.
    const req = request("on-bedrock-open");
    req.body.output_config = { effort: "high", task_budget: { total: 9 } };
    req.body.tools[2].strict = true;
    req.headers["anthropic-beta"] += ",task-budgets-2026-03-13,structured-outputs-2025-11-13";
    const res = await send(req);
    const call = bedrock.calls.at(-1)!;
    expect(call.body.anthropic_beta).toEqual(["context-management-2025-06-27", INVENTED.beta]);
    expect(call.body.context_management).toBeDefined();
    expect(call.body.output_config).toBeUndefined();
    expect(JSON.stringify(call.body.tools)).not.toContain('"defer_loading"');
    expect(JSON.stringify(call.body.tools)).not.toContain('"strict"');
    const warning = res.headers.get("llmux-warnings") ?? "";
    expect(warning).toContain("effort-2025-11-24");
    expect(warning).toMatch(/output_config\.effort/);
    expect(warning).toMatch(/tools\[\]\.defer_loading/);
    // Fields no capability pairs with pass as they came (the open list).
    expect(call.body[INVENTED.field]).toEqual(req.body[INVENTED.field]);
  });

  it("Vertex: the same bridge, in the anthropic-beta header", async () => {
    vertex.enqueue({ script: ok });
    const res = await send(request("on-vertex"));
    const call = vertex.calls.at(-1)!;
    const betas = String(call.headers["anthropic-beta"]).split(",");
    expect(betas).toContain("context-management-2025-06-27");
    expect(betas).toContain("interleaved-thinking-2025-05-14");
    expect(betas).toContain("tool-search-tool-2025-10-19");
    expect(betas).not.toContain("effort-2025-11-24");
    expect(betas).not.toContain(INVENTED.beta);
    expect(call.body.output_config).toBeUndefined();
    expect(call.body.context_management).toBeDefined();
    expect(call.body.anthropic_version).toBe("vertex-2023-10-16");
    expect(call.headers["x-llmux-drop-fields"]).toBeUndefined();
    expect(res.headers.get("llmux-warnings")).toMatch(
      /effort-2025-11-24.*Vertex AI; dropped with output_config\.effort/,
    );
  });
});

describe("feature pass-through to upstreams of another schema", () => {
  for (const alias of ["via-openai-chat", "via-azure-responses", "via-gemini"]) {
    it(`${alias}: no beta header; context_management and unknown fields dropped with a warning`, async () => {
      h.mock.enqueue(ok);
      const res = await send(request(alias));
      const got = h.mock.requests.at(-1)!;
      expect(got.headers["anthropic-beta"]).toBeUndefined();
      expect(got.raw).not.toContain("context_management");
      expect(got.raw).not.toContain(INVENTED.field);
      const warning = res.headers.get("llmux-warnings") ?? "";
      expect(warning).toContain("context_management");
      expect(warning).toContain(INVENTED.field);
    });
  }
});
