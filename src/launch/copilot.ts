import { copilotMcpConfig } from "./mcp.js";
import type { PrivateFile, Setup, SetupInput, ToolSpec } from "./tool-spec.js";

/**
 * GitHub Copilot CLI pointed at llmux with its bring-your-own-key variables (docs/clients/copilot.md): llmux
 * as its OpenAI-compatible provider, llmux's key, the wire API (Chat Completions by default, or Responses),
 * the model an llmux name, and offline mode (no GitHub sign-in, telemetry or update check) unless the user's
 * environment says otherwise.
 */

/**
 * Variables that would send Copilot CLI's requests elsewhere or with another credential: a bearer token or a
 * key command wins over the API key, a provider type other than openai changes the API, a wire model or
 * model id changes the name sent, custom headers may carry another Authorization.
 */
const BYPASS = [
  "COPILOT_PROVIDER_BEARER_TOKEN",
  "COPILOT_PROVIDER_API_KEY_COMMAND",
  "COPILOT_PROVIDER_TYPE",
  "COPILOT_PROVIDER_WIRE_MODEL",
  "COPILOT_PROVIDER_MODEL_ID",
  "COPILOT_PROVIDER_HEADERS",
  "COPILOT_PROVIDER_TRANSPORT",
];

function setup(input: SetupInput): Setup {
  const model = input.model ?? input.listed?.[0];
  if (!model) {
    throw new Error(
      "Copilot CLI needs a model name and llmux lists none (only patterns): pass --model NAME (one your configuration routes)",
    );
  }
  if (input.headers && Object.keys(input.headers).length > 0) {
    throw new Error(
      "--tag is not available with Copilot CLI: it sends no extra headers of llmux's (tag the key or its team instead: llmux keys update KEY --tag k=v)",
    );
  }
  const wire = input.wire ?? "completions";
  const env: Record<string, string> = {
    COPILOT_PROVIDER_BASE_URL: `${input.url}/v1`,
    COPILOT_PROVIDER_API_KEY: input.key,
    COPILOT_PROVIDER_WIRE_API: wire,
    COPILOT_MODEL: model,
  };
  const notes = [`model: ${model} (wire API: ${wire === "responses" ? "Responses" : "Chat Completions"})`];
  if (input.env?.COPILOT_OFFLINE === undefined) {
    env.COPILOT_OFFLINE = "true";
    notes.push("offline mode: no GitHub sign-in, telemetry or web tools (set COPILOT_OFFLINE=false to keep them)");
  }
  const files: PrivateFile[] = [];
  if (input.mcp) {
    files.push({
      name: "copilot-mcp",
      content: copilotMcpConfig(input.mcp, input.key),
      flag: "--additional-mcp-config",
      prefix: "@",
    });
    notes.push(`MCP: llmux's tools (${input.mcp}) added for this run (--no-mcp: not)`);
  }
  return { env, unset: BYPASS, args: [], notes, files };
}

export const copilotSpec: ToolSpec = {
  name: "copilot",
  title: "Copilot CLI",
  bin: "copilot",
  binEnv: "LLMUX_COPILOT_BIN",
  npm: "@github/copilot",
  docs: "docs/clients/copilot.md",
  smallModel: false,
  example: 'llmux copilot --model coder -- -p "explain this repository" -s',
  setup,
};
