import { WholeLines } from "./whole-lines.js";

/**
 * Passthrough answers name the model the client asked for. When a client's model name is an alias
 * (`claude-*` → claude-sonnet-4-5), the upstream's bytes name the upstream model; clients that compare
 * the two (Claude Code drops the thinking of a turn answered by "another" model) need their own name
 * back. Only the first `"model":"…"` of each line is rewritten: in every dialect the top-level model
 * field comes before any content, and strings inside content are escaped, so they cannot match.
 */
const MODEL_FIELD = /("model"\s*:\s*)"(?:[^"\\]|\\.)*"/;
const MODEL_KEY = Buffer.from('"model"');

function renameLine(line: string, quoted: string): string {
  return line.replace(MODEL_FIELD, (_m, key: string) => `${key}${quoted}`);
}

/** A whole JSON body with its top-level model renamed. */
export function renameModelInBody(text: string, model: string): string {
  return renameLine(text, JSON.stringify(model));
}

/**
 * The same for a stream, line by line. A line is passed on once it is complete (its event could not be
 * used by the client before that anyway); lines without a `"model"` key are passed on as they came.
 */
export class ModelRenamer extends WholeLines {
  private readonly quoted: string;

  constructor(model: string) {
    super();
    this.quoted = JSON.stringify(model);
  }

  protected rewrite(buf: Buffer): Uint8Array {
    if (buf.indexOf(MODEL_KEY) < 0) return buf;
    const lines = buf.toString("utf8").split("\n");
    return Buffer.from(lines.map((l) => (l.includes('"model"') ? renameLine(l, this.quoted) : l)).join("\n"));
  }
}
