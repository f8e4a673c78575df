/**
 * A local embeddings upstream speaking each vendor's documented shapes: OpenAI's `POST …/embeddings`
 * (`input`, `dimensions` or Mistral/Voyage `output_dimension`, `encoding_format` float or base64; answered
 * `data[].embedding` with `usage.prompt_tokens`), Gemini's `models/{m}:batchEmbedContents` (`requests[]`;
 * answered `embeddings[].values`) and Vertex AI's `…/models/{m}:predict` (`instances[]`, `parameters`;
 * answered `predictions[].embeddings.values` with `statistics.token_count`). Every call is recorded; vectors
 * are a function of the input (exact in float32), so a test can tell which vector belongs to which input.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface EmbedCall {
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

export interface EmbedFake {
  url: string;
  calls: EmbedCall[];
  /** Inputs per call past which the fake answers 400 as the vendor does. */
  maxBatch: number;
  /** Statuses to answer the next calls with (then normal answers). */
  failNext: number[];
  /** Calls left unanswered while true; `gone` counts those whose connection the caller closed. */
  hold: boolean;
  gone: number;
  close(): Promise<void>;
}

const DEFAULT_DIMS = 8;

/** The fake's vector for an input: exact float32 values derived from the text. */
export function fakeVector(input: unknown, dims = DEFAULT_DIMS): number[] {
  const text = typeof input === "string" ? input : JSON.stringify(input);
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return Array.from({ length: dims }, (_, j) => (((h >>> (j % 24)) + j * 37) % 1024) / 1024 - 0.5);
}

const tokensOf = (input: unknown) =>
  typeof input === "string" ? Math.ceil(input.length / 4) : (input as unknown[]).length;

function base64Of(v: number[]): string {
  const b = Buffer.alloc(v.length * 4);
  for (const [i, x] of v.entries()) b.writeFloatLE(x, i * 4);
  return b.toString("base64");
}

export async function startEmbedFake(): Promise<EmbedFake> {
  const fake: EmbedFake = {
    url: "",
    calls: [],
    maxBatch: 2048,
    failNext: [],
    hold: false,
    gone: 0,
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      const path = req.url ?? "/";
      fake.calls.push({ path, headers: req.headers, body });
      if (fake.hold) {
        res.on("close", () => fake.gone++);
        return;
      }
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      const fail = fake.failNext.shift();
      if (fail !== undefined) return send(fail, { error: { message: `scripted ${fail}`, type: "server_error" } });
      const bedrock = /^\/model\/([^/]+)\/invoke$/.exec(path);
      if (bedrock) {
        const id = decodeURIComponent(bedrock[1]!);
        if (id.includes("titan-embed")) {
          const text = body.inputText as string;
          return send(200, {
            embedding: fakeVector(text, body.dimensions as number | undefined),
            inputTextTokenCount: tokensOf(text),
          });
        }
        const texts = body.texts as string[];
        if (!body.input_type) return send(400, { message: "input_type is required" });
        if (texts.length > 96) return send(400, { message: "too many texts" });
        res.setHeader("x-amzn-bedrock-input-token-count", String(texts.reduce((n, t) => n + tokensOf(t), 0)));
        return send(200, {
          id: "emb-1",
          texts,
          embeddings: { float: texts.map((t) => fakeVector(t)) },
          response_type: "embeddings_by_type",
        });
      }
      if (path.includes(":batchEmbedContents")) {
        const reqs = body.requests as { content: { parts: { text: string }[] }; outputDimensionality?: number }[];
        if (reqs.length > fake.maxBatch)
          return send(400, {
            error: { code: 400, message: "at most 100 requests can be in one batch", status: "INVALID_ARGUMENT" },
          });
        return send(200, {
          embeddings: reqs.map((r) => ({ values: fakeVector(r.content.parts[0]!.text, r.outputDimensionality) })),
        });
      }
      if (path.includes(":predict")) {
        const inst = body.instances as { content: string }[];
        const dims = (body.parameters as { outputDimensionality?: number } | undefined)?.outputDimensionality;
        if (inst.length > fake.maxBatch)
          return send(400, { error: { code: 400, message: "too many instances", status: "INVALID_ARGUMENT" } });
        return send(200, {
          predictions: inst.map((i) => ({
            embeddings: {
              values: fakeVector(i.content, dims),
              statistics: { token_count: tokensOf(i.content), truncated: false },
            },
          })),
          metadata: { billableCharacterCount: inst.reduce((n, i) => n + i.content.length, 0) },
        });
      }
      if (path.split("?")[0]!.endsWith("/embeddings")) {
        const raw = body.input;
        const inputs = Array.isArray(raw) && typeof raw[0] !== "number" ? (raw as unknown[]) : [raw];
        if (inputs.length > fake.maxBatch)
          return send(400, {
            error: { message: `too many inputs: ${inputs.length}`, type: "invalid_request_error", param: "input" },
          });
        const dims = (body.dimensions ?? body.output_dimension) as number | undefined;
        const b64 = body.encoding_format === "base64";
        return send(200, {
          object: "list",
          // Answered out of order, by index, as the API allows.
          data: inputs
            .map((input, index) => ({
              object: "embedding",
              index,
              embedding: b64 ? base64Of(fakeVector(input, dims)) : fakeVector(input, dims),
            }))
            .reverse(),
          model: body.model,
          usage: {
            prompt_tokens: inputs.reduce<number>((n, i) => n + tokensOf(i), 0),
            total_tokens: inputs.reduce<number>((n, i) => n + tokensOf(i), 0),
          },
        });
      }
      send(404, { error: { message: `no route ${path}` } });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}
