import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Masker } from "../secrets/mask.js";
import type { MockRequest, MockTurn } from "./server.js";

/** How a request finds its recorded answer: by the content of the upstream request, by order, or both. */
export type ReplayMatch = "auto" | "hash" | "order";

/** One recorded exchange, as `llmux mock --replay` serves it. */
export interface Recording {
  /** The folder's name. */
  name: string;
  /** The upstream path it was sent to (meta.json), when known. */
  path?: string | undefined;
  /** The content hash of the recorded upstream request. */
  hash: string;
  /** Whether the recorded text was masked (meta.json): an incoming request is masked alike before it is hashed. */
  redacted: boolean;
  answer: string;
  status: number;
  contentType: string;
  used: boolean;
}

const UPSTREAM_REQUEST = "upstream_request.json";
const UPSTREAM_RESPONSE = "upstream_response.sse";

/** Fields that differ from one run to the next for the same conversation: left out of the hash. */
const VOLATILE = new Set(["prompt_cache_key", "user", "metadata", "safety_identifier", "stream_options"]);

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) if (!VOLATILE.has(k)) out[k] = canonical((v as Record<string, unknown>)[k]);
  return out;
}

/** The content hash of an upstream request body (its JSON, keys sorted, run-specific fields left out). */
export function requestHash(body: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(body)))
    .digest("hex")
    .slice(0, 32);
}

function isExchange(dir: string): boolean {
  return existsSync(join(dir, UPSTREAM_RESPONSE));
}

/** The exchanges under `dir` (itself one, or folders of them), in the order they were recorded (by name). */
export function loadRecordings(dir: string): Recording[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`--replay: '${dir}' is not a directory`);
  const dirs = isExchange(dir)
    ? [dir]
    : readdirSync(dir)
        .sort()
        .map((n) => join(dir, n))
        .filter((d) => statSync(d).isDirectory() && isExchange(d));
  if (dirs.length === 0)
    throw new Error(`--replay: no recorded exchange in '${dir}' (folders with ${UPSTREAM_RESPONSE} are looked for)`);
  return dirs.map((d) => {
    const meta = existsSync(join(d, "meta.json"))
      ? (JSON.parse(readFileSync(join(d, "meta.json"), "utf8")) as {
          redacted?: boolean;
          upstream?: { path?: string; status?: number; content_type?: string };
        })
      : {};
    let hash = "";
    if (existsSync(join(d, UPSTREAM_REQUEST))) {
      try {
        hash = requestHash(JSON.parse(readFileSync(join(d, UPSTREAM_REQUEST), "utf8")));
      } catch {
        hash = "";
      }
    }
    const answer = readFileSync(join(d, UPSTREAM_RESPONSE), "utf8");
    const type =
      meta.upstream?.content_type ||
      (answer.trimStart().startsWith("{") ? "application/json" : "text/event-stream; charset=utf-8");
    return {
      name: d.slice(dir.length + 1) || d,
      path: meta.upstream?.path?.split("?")[0],
      hash,
      // Recordings without meta.json (the Cursor fixtures) were redacted with placeholders llmux cannot redo.
      redacted: meta.redacted ?? false,
      answer,
      status: meta.upstream?.status ?? 200,
      contentType: type,
      used: false,
    };
  });
}

/**
 * Serves recorded upstream answers to the requests a mock receives: the first unused recording whose
 * upstream request has the same content (masked as the recording was, when it was), else (`auto`, `order`)
 * the next unused one recorded for the same path, in recording order.
 */
export class Replayer {
  private readonly masker = new Masker(false);
  private readonly plain = new Masker(true);

  constructor(
    readonly recordings: Recording[],
    private readonly match: ReplayMatch = "auto",
  ) {}

  /** The answer to one request (a recorded one, or an error saying none is left). */
  answer(req: MockRequest): MockTurn {
    const r = this.find(req);
    if (!r) {
      const left = this.recordings.filter((x) => !x.used).length;
      return {
        httpError: {
          status: 500,
          message: `replay: no recorded exchange ${left === 0 ? "left" : "matches this request"} (${req.path}; ${left} unused, match: ${this.match})`,
        },
      };
    }
    r.used = true;
    return { raw: r.answer, rawStatus: r.status, rawType: r.contentType };
  }

  private find(req: MockRequest): Recording | undefined {
    const open = this.recordings.filter((r) => !r.used && (r.path === undefined || r.path === req.path));
    if (this.match !== "order" && req.body !== undefined) {
      const hashes = new Map<boolean, string>();
      const hashOf = (redacted: boolean) => {
        let h = hashes.get(redacted);
        if (h === undefined) {
          h = requestHash((redacted ? this.masker : this.plain).value(req.body));
          hashes.set(redacted, h);
        }
        return h;
      };
      const same = open.find((r) => r.hash !== "" && r.hash === hashOf(r.redacted));
      if (same) return same;
    }
    return this.match === "hash" ? undefined : open[0];
  }
}
