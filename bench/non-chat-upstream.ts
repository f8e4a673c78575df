/**
 * The upstream of the non-chat lanes (bench/non-chat.ts), in a process of its own: OpenAI's
 * `POST /v1/embeddings` (a 1536-dimension vector per input, base64 or float as asked, `usage.prompt_tokens`)
 * and OpenAI-compatible `POST /v1/completions` with `suffix` (fill-in-the-middle), streamed as
 * `text_completion` chunks with a usage chunk when `stream_options.include_usage` asks for it. Answers at once:
 * what is measured is the gateway in front of it.
 *
 * Environment: BENCH_UPSTREAM_PORT (listen).
 */
import { createServer } from "node:http";

const DIMS = 1536;
const vector = new Float32Array(DIMS).map((_, i) => Math.sin(i) / 2);
const B64 = Buffer.from(vector.buffer).toString("base64");
const FLOATS = JSON.stringify(Array.from(vector));
/** The completion, in the pieces a FIM model streams (a few characters each). */
const FIM_PIECES = ["return", " a", " +", " b", "\n", "    ", "# done", "\n"];

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    } catch {}
    const path = (req.url ?? "/").split("?")[0];
    if (path?.endsWith("/embeddings")) {
      const input = body.input;
      const inputs = Array.isArray(input) ? input : [input];
      const b64 = body.encoding_format === "base64";
      const tokens = inputs.reduce<number>((n, s) => n + Math.ceil(String(s).length / 4), 0);
      const data = inputs.map((_, i) => `{"object":"embedding","index":${i},"embedding":${b64 ? `"${B64}"` : FLOATS}}`);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        `{"object":"list","data":[${data.join(",")}],"model":${JSON.stringify(body.model)},"usage":{"prompt_tokens":${tokens},"total_tokens":${tokens}}}`,
      );
      return;
    }
    if (path?.endsWith("/completions")) {
      const base = { id: "cmpl-bench", object: "text_completion", created: 1, model: body.model };
      const promptTokens = Math.ceil((String(body.prompt ?? "").length + String(body.suffix ?? "").length) / 4);
      const usage = { prompt_tokens: promptTokens, completion_tokens: FIM_PIECES.length, total_tokens: 0 };
      usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
      if (body.stream !== true) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            ...base,
            choices: [{ index: 0, text: FIM_PIECES.join(""), finish_reason: "stop", logprobs: null }],
            usage,
          }),
        );
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      for (const [i, text] of FIM_PIECES.entries()) {
        const last = i === FIM_PIECES.length - 1;
        res.write(
          `data: ${JSON.stringify({ ...base, choices: [{ index: 0, text, finish_reason: last ? "stop" : null, logprobs: null }] })}\n\n`,
        );
      }
      const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage;
      if (includeUsage) res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
      res.end("data: [DONE]\n\n");
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(`{"error":{"message":"no route ${path}"}}`);
  });
});
server.keepAliveTimeout = 75_000;
server.listen(Number(process.env.BENCH_UPSTREAM_PORT ?? 0), "127.0.0.1");
