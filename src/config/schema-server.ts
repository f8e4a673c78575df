import { z } from "zod";
import { WebsocketSchema } from "./schema-websocket.js";

export const SERVER_DEFAULTS = {
  host: "127.0.0.1",
  port: 4000,
  body_limit_mb: 32,
  body_timeout_ms: 60_000,
  max_event_mb: 16,
  max_answer_mb: 64,
  shutdown_grace_ms: 25_000,
  websocket: true,
} as const;

/** Where llmux listens, and the bounds that keep one request from holding the process. */
export const ServerSchema = z
  .object({
    host: z.string().default(SERVER_DEFAULTS.host).describe("Address to listen on; 0.0.0.0 or :: for every interface."),
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(SERVER_DEFAULTS.port)
      .describe("Port to listen on (0: any free port)."),
    body_limit_mb: z
      .number()
      .positive()
      .default(SERVER_DEFAULTS.body_limit_mb)
      .describe("Largest request body accepted (413 above)."),
    body_timeout_ms: z
      .number()
      .int()
      .positive()
      .default(SERVER_DEFAULTS.body_timeout_ms)
      .describe("Milliseconds a request body may take to arrive (408 after); also bounds a refused request's body."),
    max_event_mb: z
      .number()
      .positive()
      .default(SERVER_DEFAULTS.max_event_mb)
      .describe(
        "Largest single SSE event llmux takes from an upstream; a larger one ends the answer with an error naming this limit.",
      ),
    max_answer_mb: z
      .number()
      .positive()
      .default(SERVER_DEFAULTS.max_answer_mb)
      .describe(
        "Largest answer llmux holds whole (an upstream JSON body, or what it collects for a non-streaming client); past it the client gets an error naming this limit.",
      ),
    shutdown_grace_ms: z
      .number()
      .int()
      .min(0)
      .default(SERVER_DEFAULTS.shutdown_grace_ms)
      .describe(
        "On SIGTERM or SIGINT: milliseconds open requests (streams) may take to finish before they are cut and llmux exits.",
      ),
    websocket: WebsocketSchema,
    tls: z
      .object({
        cert: z.string().describe("PEM certificate file."),
        key: z.string().describe("PEM private key file."),
      })
      .strict()
      .optional()
      .describe("Serve HTTPS directly."),
  })
  .strict()
  .default(SERVER_DEFAULTS)
  .describe("Where llmux listens.");
