import type { EmbedAsk } from "./ask.js";
import { numbersJson, toBase64, type Vector } from "./vectors.js";

/** What the client is answered: a vector per input, in its order, and the tokens billed. */
export interface EmbedResult {
  readonly vectors: readonly (Vector | undefined)[];
  /** Input tokens the upstream was paid for (cached inputs count none). */
  readonly tokens: number;
}

/**
 * JSON text gathered as pieces and written once into one Buffer. Numbers and base64 are ASCII: they are
 * measured by their length and copied byte for byte (latin1), never encoded as UTF-8 character by character.
 */
class Pieces {
  private readonly parts: string[] = [];
  private readonly wide: boolean[] = [];
  private size = 0;

  /** Text known to be ASCII. */
  ascii(s: string): this {
    this.parts.push(s);
    this.wide.push(false);
    this.size += s.length;
    return this;
  }

  /** Any text (a JSON string literal of a client's own words). */
  text(s: string): this {
    this.parts.push(s);
    this.wide.push(true);
    this.size += Buffer.byteLength(s, "utf8");
    return this;
  }

  bytes(): Buffer {
    const out = Buffer.allocUnsafe(this.size);
    let at = 0;
    for (let i = 0; i < this.parts.length; i++) at += out.write(this.parts[i]!, at, this.wide[i] ? "utf8" : "latin1");
    return out;
  }
}

/**
 * The answer in the client's shape, as the bytes of its JSON: OpenAI's `list` of `embedding` objects (numbers,
 * or base64 float32 when `encoding_format` asked for it, whatever the upstream sent), or Gemini's
 * `embedding` / `embeddings`. The same bytes as JSON.stringify of the object, without building the object or
 * the half-megabyte string of a batch (and without encoding that string to UTF-8 on the way out).
 */
export function answerBytes(ask: EmbedAsk, result: EmbedResult): Buffer {
  const out = new Pieces();
  const vectors = result.vectors;
  if (ask.format === "gemini") {
    const one = (v: Vector | undefined): void => {
      if (v === undefined) out.ascii("{}");
      else out.ascii('{"values":').ascii(numbersJson(v)).ascii("}");
    };
    if (ask.batch) {
      out.ascii('{"embeddings":[');
      for (let i = 0; i < vectors.length; i++) {
        if (i > 0) out.ascii(",");
        one(vectors[i]);
      }
      out.ascii("]}");
    } else {
      out.ascii('{"embedding":');
      one(vectors[0]);
      out.ascii("}");
    }
    return out.bytes();
  }
  out.ascii('{"object":"list","data":[');
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i];
    out.ascii(i > 0 ? ',{"object":"embedding","index":' : '{"object":"embedding","index":').ascii(String(i));
    if (v !== undefined) {
      if (ask.format === "base64") out.ascii(',"embedding":"').ascii(toBase64(v)).ascii('"}');
      else out.ascii(',"embedding":').ascii(numbersJson(v)).ascii("}");
    } else out.ascii("}");
  }
  const tokens = JSON.stringify(result.tokens);
  out.ascii('],"model":').text(JSON.stringify(ask.model));
  out.ascii(',"usage":{"prompt_tokens":').ascii(tokens).ascii(',"total_tokens":').ascii(tokens).ascii("}}");
  return out.bytes();
}
