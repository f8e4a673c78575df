import type { Dialect } from "../ir/types.js";
import type { UpstreamReply } from "./call.js";
import { jsonReply, synthetic } from "./screen.js";
import { screenStreamStart } from "./stream-start.js";

/** A passthrough reply as the client may take it, or why it must be decoded and re-encoded first. */
export interface PassthroughShape {
  reply: UpstreamReply;
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
 * with an error is that error, with its status; one that is empty or not of the dialect is a 502. The reply
 * keeps what was read of it. Failures of the upstream while its start is read are thrown.
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
  const { verdict, body, release } = await screenStreamStart(dialect, reply.body);
  const screened: UpstreamReply = { ...reply, body };
  switch (verdict.kind) {
    case "ok":
      return { reply: screened };
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
