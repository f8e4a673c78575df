/**
 * Continue (VS Code, JetBrains): a `~/.continue/config.yaml` with every role on llmux — chat, edit and apply
 * over the OpenAI provider, autocomplete over the Mistral one (`POST /v1/fim/completions`), embed over the
 * OpenAI one (`POST /v1/embeddings`) and rerank over the Cohere one (`POST /v1/rerank`): docs/clients/continue.md.
 */
import { stringify } from "yaml";
import type { Config } from "../config/schema.js";

export interface ContinueModels {
  chat?: string | undefined;
  autocomplete?: string | undefined;
  embed?: string | undefined;
  rerank?: string | undefined;
}

type Kind = "embedding" | "completion" | "rerank";

/** The first alias of a kind in the configuration (chat: the first alias of no other kind, without a pattern). */
export function modelsOf(config: Config | undefined, listed: readonly string[]): ContinueModels {
  const entries = Object.entries(config?.models ?? {}).filter(([name]) => !name.includes("*"));
  const first = (kind: Kind) => entries.find(([, m]) => m.kind === kind)?.[0];
  const chat = entries.find(([, m]) => m.kind === undefined || m.kind === "chat")?.[0];
  return {
    chat: chat ?? listed[0],
    autocomplete: first("completion"),
    embed: first("embedding"),
    rerank: first("rerank"),
  };
}

/** The config.yaml's lines: comments first (what to do with it, what is missing), then the YAML. */
export function continueConfig(url: string, key: string, m: ContinueModels): string[] {
  const v1 = `${url}/v1`;
  const models: Record<string, unknown>[] = [];
  const missing: string[] = [];
  const add = (role: string, name: string | undefined, provider: string, roles: string[], slash: boolean) => {
    if (!name) {
      missing.push(role);
      return;
    }
    models.push({ name: `${name} (llmux)`, provider, model: name, apiBase: slash ? `${v1}/` : v1, apiKey: key, roles });
  };
  add("chat", m.chat, "openai", ["chat", "edit", "apply"], false);
  add("autocomplete", m.autocomplete, "mistral", ["autocomplete"], true);
  add("embed", m.embed, "openai", ["embed"], false);
  add("rerank", m.rerank, "cohere", ["rerank"], true);
  const head = [
    "# Continue's ~/.continue/config.yaml with its roles on llmux (docs/clients/continue.md):",
    "#   llmux env continue > ~/.continue/config.yaml",
  ];
  const flag = { chat: "--model", autocomplete: "--autocomplete", embed: "--embed", rerank: "--rerank" } as const;
  for (const role of missing) {
    const kind = role === "autocomplete" ? "completion" : role === "embed" ? "embedding" : role;
    head.push(
      `# no ${role} model: name one with ${flag[role as keyof typeof flag]} NAME${role === "chat" ? "" : ` (an alias of kind: ${kind})`}`,
    );
  }
  const body = stringify({ name: "llmux", version: "0.0.1", schema: "v1", models }, { lineWidth: 0 }).trimEnd();
  return [...head, ...body.split("\n")];
}
