import { detectClient } from "../clients/detect.js";
import { type BodyLimits, discardBody, readPrefix } from "../http/read-body.js";
import type { Refusal } from "../identity/identify.js";
import type { Json } from "../ir/types.js";
import type { Accepted } from "../request/route.js";
import { answerError, type Exchange } from "./exchange.js";

/** At most this much of a refused request's body is read, only to recognise Cursor. */
export const REFUSAL_PREFIX_BYTES = 64 * 1024;
/** …and for at most this long. */
const REFUSAL_PREFIX_MS = 2000;

/** Marks of Cursor that a prefix of its body shows even when it is cut mid-way. */
const CURSOR_MARKS = /"cursor(?:ConversationId|RequestId)"|"name"\s*:\s*"ApplyPatch"/;

/** Whether a (possibly partial) Chat body is Cursor's. */
function looksLikeCursor(
  ex: Exchange,
  accepted: Accepted,
  prefix: Buffer,
  complete: boolean,
  always: boolean,
): boolean {
  const path = ex.trail.path;
  let body: Json = {};
  const text = prefix.toString("utf8");
  if (complete) {
    try {
      body = JSON.parse(text) as Json;
    } catch {
      body = {};
    }
  } else if (CURSOR_MARKS.test(text)) return true;
  return detectClient(accepted.dialect, path, ex.req.headers, body, always) === "cursor";
}

/**
 * A 401 in the client's dialect, answered before any of the body is buffered. Cursor, which shows no body
 * for a 401, gets a 403 saying what to fix: to recognise it, a bounded prefix of a Chat body is read. The
 * rest of the body is discarded as it arrives, within the body limits.
 */
export async function refuse(
  ex: Exchange,
  accepted: Accepted,
  refusal: Refusal,
  opts: { cursorDetect: "auto" | "always" | "never"; limits: BodyLimits },
): Promise<void> {
  const { match, dialect } = accepted;
  let cursor = false;
  if (match.kind === "generate" && dialect === "openai-chat" && opts.cursorDetect !== "never") {
    const { prefix, complete } = await readPrefix(
      ex.req,
      REFUSAL_PREFIX_BYTES,
      Math.min(REFUSAL_PREFIX_MS, opts.limits.timeoutMs),
    );
    cursor = looksLikeCursor(ex, accepted, prefix, complete, opts.cursorDetect === "always");
  }
  ex.trail.decide(() =>
    cursor
      ? "recognised as Cursor (which shows no body for a 401): answered 403 saying where to set the key"
      : `refused: ${refusal.message}`,
  );
  if (cursor) {
    answerError(
      ex,
      dialect,
      {
        status: 403,
        kind: "permission",
        message: `llmux rejected the API key. In Cursor, set Settings → Models → OpenAI API Key to one of llmux's service keys (auth.keys in the llmux config; SERVICE_API_KEY without a config file). ${refusal.message}`,
        code: "invalid_api_key",
      },
      { outcome: "refused" },
    );
  } else {
    answerError(
      ex,
      dialect,
      { status: 401, kind: "authentication", message: refusal.message, code: "invalid_api_key" },
      // A known credential that was revoked or expired will not work on a retry: say so (Claude Code then
      // asks to sign in again at once instead of retrying for minutes).
      { outcome: "refused", ...(refusal.known ? { headers: { "x-should-retry": "false" } } : {}) },
    );
  }
  discardBody(ex.req, opts.limits);
}
