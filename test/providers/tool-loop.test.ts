/**
 * A tool round trip with reasoning through each cloud upstream, for every client dialect: the first answer
 * thinks (with a signature) and calls a tool; the client sends the tool's result back its own way (Chat
 * clients drop the reasoning: llmux's cache restores it); the second upstream request must carry the tool
 * result and the reasoning state exactly where that upstream requires it: Bedrock Converse's
 * reasoningContent.reasoningText.signature, Claude's thinking block (InvokeModel, Vertex rawPredict),
 * Gemini's thoughtSignature on the function call (Vertex).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "../../src/ir/types.js";
import type { MockScript } from "../../src/mock/index.js";
import { type BedrockFake, makeAwsKey, startBedrockFake } from "../support/bedrock-fake.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";
import { results, turn, user } from "../support/tool-turns.js";
import { startVertexFake, type VertexFake } from "../support/vertex-fake.js";

let bedrock: BedrockFake;
let vertex: VertexFake;
let h: Harness;

beforeAll(async () => {
  bedrock = await startBedrockFake();
  vertex = await startVertexFake();
  const key = makeAwsKey();
  bedrock.keys.push(key);
  const aws = {
    region: "us-east-1",
    base_url: bedrock.url,
    access_key_id: key.accessKeyId,
    secret_access_key: key.secretAccessKey,
  };
  h = await startHarness(() => ({
    providers: {
      converse: { type: "bedrock", ...aws },
      invoke: { type: "bedrock", api: "invoke", ...aws },
      vertex: {
        type: "vertex",
        project: "llmux-test",
        region: "global",
        base_url: vertex.url,
        credentials: JSON.stringify(vertex.key),
      },
    },
    models: {
      "bedrock-converse": {
        provider: "converse",
        model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        thinking: { budget_tokens: 4000 },
      },
      "bedrock-invoke": {
        provider: "invoke",
        model: "us.anthropic.claude-opus-4-1-20250805-v1:0",
        thinking: { budget_tokens: 4000 },
      },
      "vertex-claude": { provider: "vertex", model: "claude-sonnet-4-5@20250929", thinking: { budget_tokens: 4000 } },
      "vertex-gemini": { provider: "vertex", model: "gemini-3-pro-preview", reasoning: { effort: "high" } },
    },
  }));
});
afterAll(async () => {
  await h?.close();
  await bedrock?.close();
  await vertex?.close();
});

type Upstream = "bedrock-converse" | "bedrock-invoke" | "vertex-claude" | "vertex-gemini";
const UPSTREAMS: Upstream[] = ["bedrock-converse", "bedrock-invoke", "vertex-claude", "vertex-gemini"];

function enqueue(upstream: Upstream, ...scripts: MockScript[]): void {
  if (upstream.startsWith("bedrock")) bedrock.enqueue(...scripts.map((script) => ({ script })));
  else vertex.enqueue(...scripts.map((script) => ({ script })));
}

function lastBody(upstream: Upstream): Body {
  return upstream.startsWith("bedrock") ? bedrock.calls.at(-1)!.body : vertex.calls.at(-1)!.body;
}

/** Where the second request must carry the first answer's reasoning and the tool's result. */
function checkSecond(upstream: Upstream, body: Body, thinking: string, signature: string, output: string): void {
  if (upstream === "bedrock-converse") {
    const [, assistant, results] = body.messages as Body[];
    expect(assistant!.role).toBe("assistant");
    expect(assistant!.content[0]).toEqual({ reasoningContent: { reasoningText: { text: thinking, signature } } });
    expect(assistant!.content.some((b: Body) => b.toolUse?.name === "get_weather")).toBe(true);
    expect(results!.content[0].toolResult.content).toEqual([{ text: output }]);
    expect(body.additionalModelRequestFields.thinking).toEqual({ type: "enabled", budget_tokens: 4000 });
  } else if (upstream === "vertex-gemini") {
    const model = (body.contents as Body[])[1]!;
    expect(model.role).toBe("model");
    const call = (model.parts as Body[]).find((p) => p.functionCall);
    expect(call?.thoughtSignature).toBe(signature);
    expect(JSON.stringify(body.contents)).toContain(output);
  } else {
    const [, assistant, results] = body.messages as Body[];
    expect(assistant!.content[0]).toEqual({ type: "thinking", thinking, signature });
    expect(results!.content[0].type).toBe("tool_result");
    expect(JSON.stringify(results!.content[0].content)).toContain(JSON.stringify(output).slice(1, -1));
  }
}

describe.each(DIALECTS)("%s client", (client) => {
  for (const upstream of UPSTREAMS) {
    it(`${upstream}: the tool result and the reasoning state reach the second request`, async () => {
      const tag = randomBytes(6).toString("hex");
      const thinking = `Thinking ${tag}: the user wants the weather.`;
      const signature = `EqQBCkgIAhABGAIiQ${tag}signature==`;
      const output = `20° in Paris (${tag})`;
      enqueue(
        upstream,
        {
          blocks: [
            { type: "reasoning", text: thinking, signature },
            { type: "tool_call", id: `toolu_${tag}`, name: "get_weather", arguments: '{"city":"Paris"}' },
          ],
        },
        { blocks: [{ type: "text", text: `It is ${output}.` }] },
      );
      let history: Body[] = [user(client, "Weather in Paris?")];
      const first = await turn(client, h.url, upstream, history);
      expect(first.calls.map((c) => c.name)).toEqual(["get_weather"]);
      history = [...history, ...first.echo, ...results(client, first.calls, output)];
      const second = await turn(client, h.url, upstream, history);
      expect(second.text).toBe(`It is ${output}.`);
      checkSecond(upstream, lastBody(upstream), thinking, signature, output);
    });
  }
});
