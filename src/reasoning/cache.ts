import { createHash } from "node:crypto";
import type { AssistantPart, Part, ReasoningPart, Request } from "../ir/types.js";
import type { Warnings } from "../ir/warnings.js";
import type { KeyValueCache } from "../store/types.js";
import type { Origin } from "./envelope.js";

/** One assistant turn as it was produced: reasoning parts kept whole, text and calls as placeholders. */
type Slot = { r: ReasoningPart } | { t: 1 } | { c: string };

interface Entry {
  o: Origin;
  s: Slot[];
}

/** A key that stands for the entry kept under another key (the same answer's first call). */
interface Ref {
  ref: string;
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("base64url").slice(0, 32);
}

function textOf(parts: readonly Part[]): string {
  return parts.map((p) => (p.type === "text" ? p.text : "")).join("");
}

/** A small in-memory LRU in front of the store: recent turns are the ones asked for. */
class Lru {
  private readonly map = new Map<string, string>();
  constructor(private readonly max: number) {}
  get(key: string): string | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, value: string): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
}

/**
 * Server-side reasoning memory for clients that echo nothing (Chat Completions clients such as Cursor and
 * OpenCode's openai-compatible provider). Each answer's reasoning is kept under its tool call ids (or, for
 * a turn without calls, a hash of its text), scoped to the caller; the next request gets it back in its
 * original place — Anthropic thinking with signatures, Responses reasoning items, reasoning_content — when
 * it goes to the same provider and model. Bounded in size and time by the store (LRU + TTL).
 */
export class ReasoningCache {
  private readonly memory = new Lru(4096);

  constructor(private readonly kv: () => KeyValueCache) {}

  private keys(scope: string, parts: readonly Part[]): string[] {
    const calls = parts.filter((p) => p.type === "tool_call").map((p) => `${scope}:call:${p.id}`);
    return calls.length > 0 ? calls : [`${scope}:text:${digest(textOf(parts))}`];
  }

  /** Remembers the reasoning of one answer; resolves once the store has it. */
  async capture(parts: readonly AssistantPart[], origin: Origin, scope: string): Promise<void> {
    if (!parts.some((p) => p.type === "reasoning")) return;
    const slots: Slot[] = [];
    for (const p of parts) {
      if (p.type === "reasoning") {
        const { origin: _o, extras: _e, ...rest } = p;
        slots.push({ r: rest });
      } else if (p.type === "tool_call") slots.push({ c: p.id });
      else if (p.type === "text" && p.text.length > 0) slots.push({ t: 1 });
    }
    const value = JSON.stringify({ o: origin, s: slots } satisfies Entry);
    // The entry is kept once, under the first key; the others (an answer's other calls) point to it, so an
    // answer of many calls is kept in space linear in its size.
    const [first, ...others] = this.keys(scope, parts);
    if (first === undefined) return;
    const ref = JSON.stringify({ ref: first } satisfies Ref);
    const entries = new Map([[first, value], ...others.map((key): [string, string] => [key, ref])]);
    for (const [key, v] of entries) this.memory.set(key, v);
    await this.kv().putMany(entries);
  }

  /** The entries of many keys: the recent ones from memory, the others from the store in one batched read. */
  private async lookup(keys: readonly (string | undefined)[]): Promise<(Entry | undefined)[]> {
    const values = keys.map((key) => (key === undefined ? undefined : this.memory.get(key)));
    const missing = keys.filter((key, i): key is string => key !== undefined && values[i] === undefined);
    const stored = missing.length > 0 ? await this.kv().getMany(missing) : new Map<string, string>();
    const read = keys.map((key, i) => {
      let value = values[i];
      if (value === undefined && key !== undefined) {
        value = stored.get(key);
        if (value !== undefined) this.memory.set(key, value);
      }
      return value === undefined ? undefined : (JSON.parse(value) as Entry | Ref);
    });
    // Keys that point to another answer's entry: those entries, in one more batched read.
    const refs = read.flatMap((e) => (e && "ref" in e && !this.memory.get(e.ref) ? [e.ref] : []));
    const targets = refs.length > 0 ? await this.kv().getMany(refs) : new Map<string, string>();
    return read.map((e) => {
      if (!e || !("ref" in e)) return e;
      const value = this.memory.get(e.ref) ?? targets.get(e.ref);
      if (value === undefined) return undefined;
      this.memory.set(e.ref, value);
      const target = JSON.parse(value) as Entry | Ref;
      return "ref" in target ? undefined : target;
    });
  }

  /**
   * Gives back the reasoning of earlier assistant turns that came without its state: no reasoning at all,
   * or only its text (a Chat client echoing `reasoning_content`). Returns how many turns. However many turns
   * the conversation has, the store is read once (in a few batched queries), never once per turn.
   */
  async restore(req: Request, origin: Origin, scope: string, warnings: Warnings): Promise<number> {
    const turns = req.messages.filter((m) => m.role === "assistant" && !m.content.some(hasState));
    const entries = await this.lookup(turns.map((m) => this.keys(scope, m.content)[0]));
    let restored = 0;
    turns.forEach((m, i) => {
      const entry = entries[i];
      if (!entry) return;
      if (entry.o.provider !== origin.provider || entry.o.model !== origin.model) return; // foreign: never sent
      m.content = rebuild(m.content, entry, origin);
      restored++;
    });
    if (restored > 0)
      warnings.add("reasoning_restored", `reasoning of ${restored} earlier turn(s) restored from llmux's cache`);
    return restored;
  }
}

/** Whether a part is reasoning that carries replay state (which the client's echo then wins over). */
function hasState(p: Part): boolean {
  return (
    p.type === "reasoning" &&
    (p.signature !== undefined ||
      p.redacted !== undefined ||
      p.encrypted !== undefined ||
      p.thoughtSignature !== undefined)
  );
}

/**
 * The turn in its original order: reasoning where it was, the client's text and calls in their slots. The
 * client's own reasoning text, if any, is replaced by the cached parts it was read from.
 */
function rebuild(content: Part[], entry: Entry, origin: Origin): Part[] {
  const calls = new Map(content.filter((p) => p.type === "tool_call").map((p) => [p.id, p]));
  const texts = content.filter((p) => p.type === "text");
  const others = content.filter((p) => p.type !== "text" && p.type !== "tool_call" && p.type !== "reasoning");
  const out: Part[] = [];
  let textUsed = false;
  for (const slot of entry.s) {
    if ("r" in slot) out.push({ ...slot.r, origin });
    else if ("t" in slot) {
      if (!textUsed) out.push(...texts);
      textUsed = true;
    } else {
      const call = calls.get(slot.c);
      if (call) {
        out.push(call);
        calls.delete(slot.c);
      }
    }
  }
  if (!textUsed) out.push(...texts);
  out.push(...calls.values(), ...others);
  return out;
}
