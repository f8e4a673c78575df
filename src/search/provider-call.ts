import { BodyTooLarge, readWhole } from "../http/whole-body.js";
import { type SearchHit, WebToolError } from "./types.js";

/** Bytes of a search provider's answer read at most (a page of 20 results with extracts is far less). */
export const MAX_PROVIDER_ANSWER = 2 * 1024 * 1024;

/** One call to a search provider's API. */
export interface ProviderRequest {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  /** A JSON body (POST). */
  body?: unknown;
}

/**
 * Calls a search provider and gives back its JSON answer, or throws WebToolError: `timeout` past `timeoutMs`,
 * `too_many_requests` on 429, `unavailable` for anything else (unreachable, an error status, an answer too large
 * or not JSON). What the provider said in an error is never repeated (nor the key): only its status. A caller's
 * own abort is thrown as it came (the request is over; no tool result is owed).
 */
export async function callProvider(
  name: string,
  req: ProviderRequest,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<unknown> {
  const timer = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timer]);
  const failed = (err: unknown, what: string): never => {
    if (signal.aborted) throw signal.reason ?? err;
    if (timer.aborted)
      throw new WebToolError("timeout", `search provider ${name} did not answer within ${timeoutMs} ms`);
    if (err instanceof WebToolError) throw err;
    throw new WebToolError("unavailable", `search provider ${name}: ${what}`);
  };
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: {
        accept: "application/json",
        "user-agent": "llmux-search",
        ...(req.body !== undefined ? { "content-type": "application/json" } : {}),
        ...req.headers,
      },
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      redirect: "error",
      signal: both,
    });
  } catch (err) {
    return failed(err, "could not be reached");
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 429)
      throw new WebToolError("too_many_requests", `search provider ${name} is rate limiting llmux (HTTP 429)`);
    const why = res.status === 401 || res.status === 403 ? " (its API key was refused)" : "";
    throw new WebToolError("unavailable", `search provider ${name} answered HTTP ${res.status}${why}`);
  }
  let bytes: Buffer;
  try {
    bytes = res.body ? await readWhole(res.body as AsyncIterable<Uint8Array>, MAX_PROVIDER_ANSWER) : Buffer.alloc(0);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      await res.body?.cancel().catch(() => undefined);
      throw new WebToolError("unavailable", `search provider ${name} answered more than ${MAX_PROVIDER_ANSWER} bytes`);
    }
    return failed(err, "its answer was cut off");
  }
  try {
    return JSON.parse(bytes.toString("utf8")) as unknown;
  } catch {
    throw new WebToolError("unavailable", `search provider ${name} answered something other than JSON`);
  }
}

/** A string field of a decoded answer (trimmed, at most `max` characters), or "" when it is not a string. */
export function text(v: unknown, max = 4000): string {
  return typeof v === "string" ? v.trim().slice(0, max) : "";
}

/**
 * The array at a field of a decoded answer (`["web", "results"]`); [] when an `optional` one is absent; a
 * WebToolError when the answer is not an object or the field holds something else.
 */
export function arrayAt(v: unknown, path: readonly string[], name: string, optional = false): unknown[] {
  const bad = () =>
    new WebToolError("unavailable", `search provider ${name} answered without ${path.join(".")} (not its API?)`);
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw bad();
  let cur: unknown = v;
  for (const p of path) {
    if (cur === undefined || cur === null) break;
    if (typeof cur !== "object" || Array.isArray(cur)) throw bad();
    cur = (cur as Record<string, unknown>)[p];
  }
  if ((cur === undefined || cur === null) && optional) return [];
  if (!Array.isArray(cur)) throw bad();
  return cur;
}

/** An http(s) URL as a result may carry one, or undefined. */
export function resultUrl(v: unknown): string | undefined {
  if (typeof v !== "string" || v.length > 4096) return undefined;
  try {
    const u = new URL(v);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** Where a provider's result keeps its parts: the field names of its snippet and its age, and how to clean text. */
export interface HitFields {
  snippet: string;
  /** The fields that may say the page's age, the first present wins. */
  age: readonly string[];
  snippetChars?: number;
  /** A provider whose titles and snippets carry markup (Brave's `<strong>`): made plain. */
  clean?: (s: string) => string;
}

/** The results (objects with an http(s) `url`, the others skipped) in the array at `path` of a decoded answer. */
export function hitsAt(
  json: unknown,
  path: readonly string[],
  name: string,
  f: HitFields,
  optional = false,
): SearchHit[] {
  const clean = f.clean ?? ((s: string) => s);
  const out: SearchHit[] = [];
  for (const r of arrayAt(json, path, name, optional)) {
    if (!r || typeof r !== "object") continue;
    const o = r as Record<string, unknown>;
    const url = resultUrl(o.url);
    if (!url) continue;
    let age = "";
    for (const a of f.age) age ||= text(o[a], 64);
    out.push({
      url,
      title: clean(text(o.title, 500)) || url,
      snippet: clean(text(o[f.snippet], f.snippetChars)),
      ...(age ? { pageAge: age } : {}),
    });
  }
  return out;
}
