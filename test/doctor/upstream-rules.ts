/**
 * Upstreams scripted by rules on the mock server, answering as the real providers do — with their own error
 * texts — for the situations the doctor must recognise: a wrong key, a missing Azure deployment, an API
 * version Azure does not know, effort and verbosity levels a model refuses, a model without tools or images,
 * and healthy models that call the tool and think.
 */
import type { MockRequest, MockTurn } from "../../src/mock/server.js";

export const WRONG_KEY = "sk-ant-wrong-key";

/** Anthropic's answer to an unknown key. */
export const ANTHROPIC_BAD_KEY = "invalid x-api-key";
/** Azure's answer for a deployment that does not exist. */
export const AZURE_NO_DEPLOYMENT =
  "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.";
/** Azure's answer for an api-version it does not serve. */
export const AZURE_BAD_VERSION = "API version not supported";
/** Ollama's answer when a model without tool support gets tools. */
export const OLLAMA_NO_TOOLS = "registry.ollama.ai/library/gemma:2b does not support tools";
export const OLLAMA_NO_IMAGES = "this model is missing data required for image input";

/** What Azure says for a reasoning setting gpt-5-codex does not take. */
export function unsupported(value: string, allowed: string[]): string {
  const list = allowed.map((a) => `'${a}'`);
  const words = list.length > 1 ? `${list.slice(0, -1).join(", ")}, and ${list.at(-1)}` : list[0];
  return `Unsupported value: '${value}' is not supported with the 'gpt-5-codex' model. Supported values are: ${words}.`;
}

const error = (status: number, message: string): MockTurn => ({ httpError: { status, message } });

type Body = Record<string, unknown> & {
  model?: string;
  tools?: unknown[];
  reasoning?: { effort?: string };
  text?: { verbosity?: string };
  stream?: boolean;
  thinking?: { type?: string };
};

/** A model that does what it is asked: calls the tool, then answers with its result; thinks when asked. */
function healthy(body: Body, req: MockRequest, model: string, thinks: boolean): MockTurn {
  const reasoning = thinks ? [{ type: "reasoning" as const, text: "The user wants one word." }] : [];
  if (req.raw.includes("PLOVER")) return { model, blocks: [{ type: "text", text: "PLOVER" }] };
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    return {
      model,
      blocks: [...reasoning, { type: "tool_call", name: "lookup_word", arguments: JSON.stringify({ key: "doctor" }) }],
    };
  }
  return { model, blocks: [...reasoning, { type: "text", text: "OK" }] };
}

function anthropic(body: Body, req: MockRequest): MockTurn {
  if (req.headers["x-api-key"] === WRONG_KEY) return error(401, ANTHROPIC_BAD_KEY);
  // Claude Sonnet 4.5 thinks with a budget; adaptive thinking is for later models.
  if (body.thinking?.type === "adaptive") {
    return error(400, "thinking.type: adaptive thinking is not supported on this model");
  }
  return healthy(body, req, String(body.model), body.thinking?.type === "enabled");
}

const CODEX_EFFORTS = ["low", "medium", "high"];

function azure(body: Body, req: MockRequest): MockTurn {
  if (req.url.includes("api-version=2099-01-01")) return error(400, AZURE_BAD_VERSION);
  const model = String(body.model);
  if (model !== "gpt-5-codex" && model !== "codex-prod") return error(404, AZURE_NO_DEPLOYMENT);
  const effort = body.reasoning?.effort;
  if (effort !== undefined && !CODEX_EFFORTS.includes(effort)) {
    return error(400, unsupported(effort, CODEX_EFFORTS));
  }
  const verbosity = body.text?.verbosity;
  if (verbosity !== undefined && verbosity !== "medium") return error(400, unsupported(verbosity, ["medium"]));
  return healthy(body, req, model, true);
}

function ollama(body: Body, req: MockRequest): MockTurn {
  // A server whose streams break after the first event (answers without streaming are fine).
  if (body.model === "broken-stream" && body.stream === true) {
    return {
      model: "broken-stream",
      blocks: [{ type: "text", text: "OK" }],
      streamError: { afterBlocks: 0, message: "upstream connection reset mid-stream", kind: "server" },
    };
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) return error(400, OLLAMA_NO_TOOLS);
  if (req.raw.includes('"image_url"')) return error(400, OLLAMA_NO_IMAGES);
  return { model: String(body.model), blocks: [{ type: "text", text: "OK" }] };
}

/** The mock's fallback: every request answered by the rules of the upstream its path belongs to. */
export function rules(body: unknown, req: MockRequest): MockTurn {
  const b = (body ?? {}) as Body;
  if (req.path === "/v1/messages") return anthropic(b, req);
  if (req.path.startsWith("/openai/")) return azure(b, req);
  if (req.path.startsWith("/compat/")) return ollama(b, req);
  return error(404, `no rule for ${req.path}`);
}
