import { createHash, randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { affinityKey } from "../clients/conversation-key.js";
import type { ProviderConfig } from "../config/schema.js";
import { ConversationTable } from "../cursor/conversations.js";
import { CursorHelper } from "../cursor/helper-process.js";
import { CursorReplies } from "../cursor/replies.js";
import { ensureRuntime } from "../cursor/runtime.js";
import type { Json } from "../ir/types.js";
import { DEFAULT_TIMEOUT_MS, type LocalReply, type Provider, providerBasics, type UpstreamTarget } from "./types.js";

type CursorConfig = Extract<ProviderConfig, { type: "cursor" }>;

/** Where target() hands local() what only it knows (the credential, the client's session). */
const KEY_HEADER = "authorization";
const SESSION_HEADER = "x-llmux-session";

function say(name: string, level: string, message: string): void {
  if (level === "debug" && !process.env.LLMUX_CURSOR_DEBUG) return;
  process.stderr.write(`llmux: cursor provider '${name}': ${message}\n`);
}

/**
 * Cursor's Composer models through Cursor's own SDK. The SDK runs in a helper process (Node ≥ 22.13, see
 * src/cursor/), so this provider answers in process: it reads the request (written for it in the Anthropic
 * dialect, whose stream it answers in), sends the helper what the conversation lacks, and turns the helper's
 * events into a stream. The API key is the caller's own (pass-through), a minted key's stored credential, or
 * `api_key`; it lives in memory only.
 */
export interface CursorProvider extends Provider {
  /** Stops the helper process (llmux exiting stops it too). */
  close(): Promise<void>;
  /** The helper's process id while it runs. */
  helperPid(): number | undefined;
}

export function cursorProvider(name: string, cfg: CursorConfig): CursorProvider {
  const helper = new CursorHelper({
    runtime: () =>
      ensureRuntime({
        dir: resolve(cfg.runtime_dir),
        node: cfg.node,
        install: cfg.install,
        log: (m) => say(name, "info", m),
      }),
    backendUrl: cfg.base_url,
    toolResultTimeoutMs: cfg.tool_result_timeout_ms,
    conversationTtlMs: cfg.conversation_ttl_ms,
    maxConversations: cfg.max_conversations,
    log: (level, m) => say(name, level, m),
  });
  const replies = new CursorReplies(helper, new ConversationTable(cfg.max_conversations, cfg.conversation_ttl_ms), {
    systemPrompt: cfg.system_prompt,
    idleTimeoutMs: cfg.timeout_ms ?? DEFAULT_TIMEOUT_MS,
  });
  return {
    ...providerBasics(name, "cursor", "anthropic", cfg),
    target: (_model, ctx): UpstreamTarget => {
      const key = ctx.callerKey ?? cfg.api_key ?? "";
      const headers: Record<string, string> = { [KEY_HEADER]: key };
      const session = affinityKey(ctx.clientHeaders, null);
      if (session) headers[SESSION_HEADER] = session;
      return { url: `cursor://${name}`, headers };
    },
    local(body: unknown, signal: AbortSignal, target?: UpstreamTarget): Promise<LocalReply> {
      const key = target?.headers[KEY_HEADER] ?? cfg.api_key ?? "";
      // The conversation's scope: the caller (by a digest of its key) and the client's session.
      const digest = createHash("sha256").update(key).digest("hex").slice(0, 32);
      // Claude Code names its session in the body (metadata.user_id) when its requests pass through.
      const meta = (body as { metadata?: Json } | null)?.metadata;
      const session = target?.headers[SESSION_HEADER] ?? (meta ? affinityKey({}, { metadata: meta }) : undefined);
      const scope = `${digest}|${session ?? ""}`;
      return replies.answer(body, { key, scope, signal, id: `msg_cursor_${randomUUID().replace(/-/g, "")}` });
    },
    close: () => helper.close(),
    helperPid: () => helper.pid,
  };
}
