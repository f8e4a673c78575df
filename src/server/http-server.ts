import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Config } from "../config/schema.js";
import { readTls } from "../config/tls.js";
import { LeanResponse } from "../http/lean-response.js";

/** The gateway's responses (a subclass of node's, whose type the server's generic does not take as its own). */
const LEAN = LeanResponse as typeof ServerResponse;

/**
 * The gateway's HTTP server, over TLS when `tls` names a certificate and key. Its responses keep the headers set
 * before their head in one plain object (src/http/lean-response.ts).
 */
export function httpServer(
  tls: Config["server"]["tls"],
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  return tls
    ? createHttpsServer({ ...readTls(tls), ServerResponse: LEAN }, handler)
    : createHttpServer({ ServerResponse: LEAN }, handler);
}
