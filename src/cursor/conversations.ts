import { createHash } from "node:crypto";
import type { Message, Request } from "../ir/types.js";

/**
 * Which Cursor conversation (an SDK agent in the helper) a request continues. The SDK keeps the conversation
 * itself, so a request that continues one sends only what is new; llmux recognises it by a fingerprint of the
 * history it answered: the caller's key, the client's session (its affinity key), the system prompt, each user
 * message and each tool call and result id. The assistant's text is left out: clients echo it back in their
 * own ways (Cursor wraps reasoning in tags, some merge messages).
 */
export class ConversationTable {
  private readonly entries = new Map<string, { conversation: string; generation: number; at: number }>();

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
  ) {}

  /** The conversation whose answered history is `fingerprint`, if the helper of `generation` holds it. */
  find(fingerprint: string, generation: number, now = Date.now()): string | undefined {
    const e = this.entries.get(fingerprint);
    if (!e) return undefined;
    this.entries.delete(fingerprint);
    if (e.generation !== generation || now - e.at > this.ttlMs) return undefined;
    return e.conversation;
  }

  remember(fingerprint: string, conversation: string, generation: number, now = Date.now()): void {
    this.entries.delete(fingerprint);
    this.entries.set(fingerprint, { conversation, generation, at: now });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

function tokens(m: Message): string[] {
  const out: string[] = [];
  if (m.role === "user") {
    const text = m.content.map((p) => (p.type === "text" ? p.text : p.type === "image" ? "[image]" : "")).join("\n");
    out.push(`u:${sha(text)}`);
  }
  for (const p of m.content) {
    if (p.type === "tool_call") out.push(`c:${p.id}`);
    else if (p.type === "tool_result") out.push(`r:${p.callId}`);
  }
  return out;
}

/** The fingerprint of `messages` as history, in the scope of one caller and session. */
export function fingerprint(scope: string, req: Pick<Request, "instructions">, messages: Message[]): string {
  const system = (req.instructions ?? []).map((p) => p.text).join("\n");
  const sys = messages
    .filter((m) => m.role === "system" || m.role === "developer")
    .flatMap((m) => m.content.map((p) => (p.type === "text" ? p.text : "")));
  const h = createHash("sha256").update(scope).update("\0").update(system).update("\0").update(sys.join("\n"));
  for (const m of messages) for (const t of tokens(m)) h.update("\0").update(t);
  return h.digest("hex");
}
