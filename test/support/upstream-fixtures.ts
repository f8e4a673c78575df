import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Dialect } from "../../src/ir/types.js";

export const SHARED = join(import.meta.dirname, "../../../shared");
export const UPSTREAM_DIR = join(SHARED, "fixtures/upstream-streams");

export interface UpstreamFixture {
  /** Path relative to upstream-streams/. */
  file: string;
  /** The format line of the fixture README (SSE, JSONL-ANTHROPIC, JSON-BODY…). */
  format: string;
  dialect: Dialect;
  /** One SSE body per HTTP response (several when the recording concatenated responses). */
  bodies: string[];
}

/** file → its declared format, read from the README so the loader follows the fixtures' own documentation. */
function declaredFormats(): Map<string, string> {
  const readme = readFileSync(join(UPSTREAM_DIR, "README.txt"), "utf8");
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of readme.split("\n")) {
    const m = /^([a-z-]+\/[^\s]+\.(?:sse|txt|json))$/.exec(line);
    if (m) current = m[1];
    const f = /^\s+format\s+:\s+(.*)$/.exec(line);
    if (f && current) out.set(current, f[1]!.trim());
  }
  return out;
}

function dialectOf(text: string): Dialect {
  if (/"type"\s*:\s*"response\.|^event: response\./m.test(text)) return "openai-responses";
  if (/"type"\s*:\s*"message_start"/.test(text)) return "anthropic";
  if (/^data: \{"candidates"/m.test(text)) return "gemini";
  return "openai-chat";
}

function rebuild(format: string, raw: string): string {
  if (format.startsWith("SSE")) return raw;
  const lines = raw.split("\n").filter((l) => l.trim().length > 0);
  if (format.startsWith("JSONL-CHAT")) return `${lines.map((l) => `data: ${l}\n\n`).join("")}data: [DONE]\n\n`;
  if (format.startsWith("JSONL-GEMINI")) return lines.map((l) => `data: ${l}\r\n\r\n`).join("");
  return lines.map((l) => `event: ${(JSON.parse(l) as { type: string }).type}\ndata: ${l}\n\n`).join("");
}

/** Splits a recording of several HTTP responses at each message_start / response.created event. */
function splitResponses(sse: string, dialect: Dialect): string[] {
  const marker = dialect === "anthropic" ? "message_start" : "response.created";
  const events = sse.split(/(?<=\n\n)/);
  const bodies: string[] = [];
  for (const ev of events) {
    if (ev.includes(`"type":"${marker}"`) || bodies.length === 0) bodies.push(ev);
    else bodies[bodies.length - 1] += ev;
  }
  return bodies;
}

export function loadUpstreamFixtures(): UpstreamFixture[] {
  const formats = declaredFormats();
  const out: UpstreamFixture[] = [];
  for (const dir of readdirSync(UPSTREAM_DIR, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const name of readdirSync(join(UPSTREAM_DIR, dir.name)).sort()) {
      const file = `${dir.name}/${name}`;
      const format = formats.get(file);
      if (!format) throw new Error(`fixture ${file} is not described in the README`);
      const raw = readFileSync(join(UPSTREAM_DIR, file), "utf8");
      if (format.startsWith("JSON-BODY")) {
        out.push({ file, format, dialect: dir.name === "anthropic" ? "anthropic" : "openai-chat", bodies: [raw] });
        continue;
      }
      const sse = rebuild(format, raw);
      const dialect = dialectOf(sse);
      const bodies = /concatenated/.test(format) ? splitResponses(sse, dialect) : [sse];
      out.push({ file, format, dialect, bodies });
    }
  }
  return out;
}
