import { z } from "zod";
import { secret } from "./secret-fields.js";

/** `GET /metrics`: Prometheus text, for a scraper. */
export const MetricsSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        "Serve GET /metrics (Prometheus text). It answers only to admin.keys, metrics.key, or anyone with public.",
      ),
    key: secret(
      z
        .string()
        .min(1)
        .optional()
        .describe("A bearer token for /metrics alone (a scraper's), accepted besides admin.keys."),
    ),
    public: z
      .boolean()
      .default(false)
      .describe("Serve /metrics without any key (only where the port is reachable from a private network)."),
  })
  .strict()
  .default({ enabled: true, public: false })
  .describe("Prometheus metrics: requests, latency, tokens, cost, routing, refusals, the process.");

const RecordObject = z
  .object({
    dir: z.string().min(1).describe("Directory the exchanges are written to (one folder each; created if missing)."),
    keep_text: z
      .boolean()
      .default(false)
      .describe(
        "Keep prompts, messages and answers as they were. Default: replaced by placeholders of the same shape. Keys are removed either way.",
      ),
    max_exchanges: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe("Exchanges written at most; recording stops (and says so in the log) after this many."),
  })
  .strict();

/** `logging.record`: each exchange written as a replayable fixture. */
export const RecordSchema = z
  .union([z.string().min(1), RecordObject])
  .optional()
  .describe(
    "Record each exchange (client request, upstream request, upstream stream, answer) as a fixture in this directory, redacted; or {dir, keep_text, max_exchanges}.",
  );

export type RecordConfig = z.infer<typeof RecordObject>;
