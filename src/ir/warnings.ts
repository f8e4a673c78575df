import type { Warning } from "./types.js";

/** Objects a decoder maps partly; their unmapped members travel as extras under the same key. */
const PARTIAL = new Set(["reasoning", "text", "stream_options", "output_config", "generationConfig"]);

/** Collects the lossy or dropped mappings of one translation, deduplicated by code + param. */
export class Warnings {
  readonly list: Warning[] = [];
  private readonly seen = new Set<string>();

  add(code: string, message: string, param?: string): void {
    const key = `${code}\u0000${param ?? ""}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(param === undefined ? { code, message } : { code, message, param });
  }

  /** Reports a built-in tool of another dialect (named by its type, else its name) as dropped: `target` has none. */
  toolDropped(tool: Record<string, unknown>, target: string, param: string): void {
    const name = String(tool.type ?? tool.name ?? Object.keys(tool)[0]);
    this.add("tool_dropped", `built-in tool '${name}' has no ${target} equivalent and was dropped`, param);
  }

  /**
   * Reports every field of `fields` as dropped because `target` has no equivalent. Objects whose other
   * members were mapped (reasoning, text, stream_options, output_config) are reported member by member.
   */
  dropped(fields: Record<string, unknown> | undefined, target: string, prefix = ""): void {
    if (!fields) return;
    for (const [key, value] of Object.entries(fields)) {
      if (PARTIAL.has(key) && value && typeof value === "object" && !Array.isArray(value)) {
        this.dropped(value as Record<string, unknown>, target, `${prefix}${key}.`);
        continue;
      }
      this.add("dropped_field", `${prefix}${key} has no equivalent in ${target} and was dropped`, `${prefix}${key}`);
    }
  }
}
