import { isObject } from "../ir/input-error.js";
import type { Json } from "../ir/types.js";
import { WholeLines } from "./whole-lines.js";

/** A lifecycle event carries its response as a top-level `"response"` member (content cannot: it is escaped). */
const RESPONSE_KEY = Buffer.from('"response"');
const LIFECYCLE = /"type"\s*:\s*"response\.(?:created|queued|in_progress|completed|incomplete|failed)"/;

/**
 * One response id per Responses stream: an upstream whose lifecycle events name another id than the first
 * one (GitHub Copilot's Responses API) has those events rewritten with the first id, so that a client's stream
 * helper (the official SDKs refuse "Lifecycle response identity changed") reads one response. Line by line,
 * as src/upstream/model-rename.ts: only the `data:` lines of lifecycle events whose id differs are parsed and
 * written again; every other byte is relayed as it came.
 */
export class ResponseIdKeeper extends WholeLines {
  /** The stream's response id: the first lifecycle event's. */
  id: string | undefined;
  /** Lifecycle events rewritten so far. */
  rewritten = 0;

  protected rewrite(buf: Buffer): Uint8Array {
    if (buf.indexOf(RESPONSE_KEY) < 0) return buf;
    let changed = false;
    const lines = buf.toString("utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line.startsWith("data:") || !LIFECYCLE.test(line)) continue;
      const kept = this.line(line);
      if (kept !== line) {
        lines[i] = kept;
        changed = true;
      }
    }
    return changed ? Buffer.from(lines.join("\n")) : buf;
  }

  private line(line: string): string {
    let v: Json;
    try {
      v = JSON.parse(line.slice(5)) as Json;
    } catch {
      return line;
    }
    if (!isObject(v) || !isObject(v.response) || typeof v.response.id !== "string") return line;
    if (this.id === undefined) {
      this.id = v.response.id;
      return line;
    }
    if (v.response.id === this.id) return line;
    this.rewritten++;
    return `data: ${JSON.stringify({ ...v, response: { ...v.response, id: this.id } })}`;
  }
}
