import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import { decodeJson } from "../http/decode-json.js";
import { type BodyLimits, BodyRefused, readBody } from "../http/read-body.js";
import { AdminError } from "./route.js";

/** The first problem zod found, as a field path (`budget.period`) and words. */
function firstIssue(err: z.ZodError, where: "body" | "query"): AdminError {
  const issue = err.issues[0]!;
  let path = issue.path.join(".");
  if (issue.code === "unrecognized_keys") path = [...issue.path, ...issue.keys].join(".");
  const field = path || undefined;
  return new AdminError(400, `${field ? `${field}: ` : `${where}: `}${issue.message}`, field);
}

/** A body or query checked against its route's schema: its parsed value, or a 400 naming the field. */
export function checked(schema: z.ZodType, value: unknown, where: "body" | "query"): unknown {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw firstIssue(parsed.error, where);
  return parsed.data;
}

/**
 * A request body read within the body limits (413, 408 as the generation routes answer them) and decoded as
 * JSON whatever its content type (`curl -d` sends a form type); an empty body is `{}`.
 */
export async function jsonBody(read: () => Promise<Buffer>): Promise<unknown> {
  let raw: Buffer;
  try {
    raw = await read();
  } catch (err) {
    if (err instanceof BodyRefused) throw new AdminError(err.info.status, err.info.message);
    throw err;
  }
  if (raw.toString("utf8").trim() === "") return {};
  const decoded = decodeJson(raw);
  if (!decoded.ok) throw new AdminError(400, `body: ${decoded.error.message}`);
  return decoded.json;
}

/** The node request's body, within the limits. */
export const incomingBody = (req: IncomingMessage, limits: BodyLimits) => () => readBody(req, limits);
