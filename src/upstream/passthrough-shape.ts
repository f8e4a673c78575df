import type { Dialect } from "../ir/types.js";
import type { UpstreamReply } from "./call.js";
import { StreamInspector } from "./inspect.js";
import { jsonReply, synthetic } from "./screen.js";
import type { UsageTap } from "./usage-tap.js";

/** A passthrough reply as the client may take it, or why it must be decoded and re-encoded first. */
export interface PassthroughShape {
  reply: UpstreamReply;
  /** Watches the stream relayed byte for byte (usage, ids, reasoning marks, whether it ended). */
  tap?: UsageTap | undefined;
  /** Set when the reply is relayed through the dialect's own decoder and encoder, not byte for byte. */
  recode?: string;
}

function isJson(reply: UpstreamReply): boolean {
  return String(reply.headers["content-type"] ?? "").includes("application/json");
}

/**
 * Checks that a successful passthrough reply is what the client asked for before a byte of it is relayed:
 * one JSON body for a non-streaming request, an event stream of the dialect for a streaming one. An upstream
 * that answers the other way (one body to a streaming request, a stream to a non-streaming one), or whose
 * stream deviates from the wire format, is decoded and re-encoded in the same dialect; a stream that opens
 * with an error is that error, with its status; one that is empty or not of the dialect is a 502. The stream's
 * start was judged by the attempt loop's inspection (src/upstream/inspect.ts) when it went through one; a
 * reply that did not (the last failure, answered as it came) is judged here. Failures of the upstream while
 * its start is read are thrown.
 */
export async function shapePassthrough(
  dialect: Dialect,
  clientStream: boolean,
  reply: UpstreamReply,
  where: string,
): Promise<PassthroughShape> {
  if (reply.status >= 400) return { reply };
  if (isJson(reply))
    return clientStream ? { reply, recode: "the upstream answered one JSON body to a streaming request" } : { reply };
  if (!clientStream) return { reply, recode: "the upstream answered an event stream to a non-streaming request" };
  let verdict = reply.inspected?.screen;
  let tap = reply.inspected?.tap;
  let screened = reply;
  let release: () => Promise<void> = async () => undefined;
  if (!verdict || !tap) {
    const inspector = new StreamInspector(dialect, { screen: true, tap: true });
    const seen = await inspector.start(reply.body);
    tap = inspector.tap;
    verdict = seen.screen ?? { kind: "ok" };
    if (seen.kind === "answer") {
      screened = { ...reply, body: seen.body };
      release = seen.release;
    } else if (verdict.kind !== "error") {
      // A failure before any output that is no error object (a Responses `response.failed`): relayed as it came.
      const text = Buffer.from(seen.text);
      screened = {
        ...reply,
        body: (async function* () {
          yield text;
        })(),
      };
    }
  }
  switch (verdict.kind) {
    case "ok":
      return { reply: screened, tap };
    case "deviates":
      return { reply: screened, recode: `the upstream's stream deviates from the wire format (${verdict.why})` };
    case "error":
      await release().catch(() => undefined);
      return {
        reply: {
          ...jsonReply(verdict.status, verdict.text, { ...reply.headers, "content-type": "application/json" }),
          limits: reply.limits,
        },
      };
    case "bad":
      await release().catch(() => undefined);
      return { reply: { ...synthetic(dialect, 502, `upstream ${where} ${verdict.message}`), limits: reply.limits } };
  }
}
