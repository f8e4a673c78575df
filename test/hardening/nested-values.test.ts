/**
 * The JSON values llmux walks or writes again once decoded are bounded where they enter (ir/json-bounds.ts):
 * a client's tool schema or structured-output schema at 64 levels and 100,000 values (a 400 naming the field),
 * an upstream's tool call input at 100 levels and 100,000 values (a 502 naming the call). The fuzz suite's long
 * run found both stalling the event loop for over a second: a Responses request whose tool `parameters` held
 * hundreds of thousands of values (within the body's 500,000 arrays and objects), and a Chat answer whose
 * tool call `arguments` did, each walked again by every encoder. Values within the bounds pass untouched.
 */
import { describe, expect, it } from "vitest";
import { decodeJson } from "../../src/http/decode-json.js";
import { InputError } from "../../src/ir/input-error.js";
import {
  SCHEMA_DEPTH_LIMIT,
  SCHEMA_VALUE_LIMIT,
  TOOL_INPUT_VALUE_LIMIT,
  valueBeyond,
} from "../../src/ir/json-bounds.js";
import type { Dialect, Json, UpstreamDialect } from "../../src/ir/types.js";
import { codecs, upstreamCodecs } from "../../src/translate/codecs.js";
import { StreamTranslator } from "../../src/translate/stream-translator.js";

/** A schema nesting `levels` levels of `properties` (two per level: the schema and its properties object). */
function deepSchema(levels: number): Json {
  let s: Json = { type: "string" };
  for (let i = 1; i < levels; i += 2) s = { type: "object", properties: { a: s } };
  return s;
}

/** A schema of more than `n` values, two levels deep: an enum as long as that. */
const wideSchema = (n: number): Json => ({
  type: "object",
  properties: { a: { type: "string", enum: Array.from({ length: n }, (_, i) => `v${i}`) } },
});

/** A client's body with a tool whose schema is `schema`, and the field that names it. */
const WITH_TOOL: Record<Dialect, { body: (schema: Json) => Json; field: string }> = {
  "openai-responses": {
    body: (schema) => ({ model: "m", input: "hi", tools: [{ type: "function", name: "f", parameters: schema }] }),
    field: "tools[0].parameters",
  },
  "openai-chat": {
    body: (schema) => ({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      tools: [{ type: "function", function: { name: "f", parameters: schema } }],
    }),
    field: "tools[0].function.parameters",
  },
  anthropic: {
    body: (schema) => ({
      model: "m",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
      tools: [{ name: "f", input_schema: schema }],
    }),
    field: "tools[0].input_schema",
  },
  gemini: {
    body: (schema) => ({
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
      tools: [{ functionDeclarations: [{ name: "f", parameters: schema }] }],
    }),
    field: "tools[0].functionDeclarations[0].parameters",
  },
};

/** A client's body asking for a structured output of `schema`, and the field that names it. */
const WITH_FORMAT: Record<Dialect, { body: (schema: Json) => Json; field: string }> = {
  "openai-responses": {
    body: (schema) => ({ model: "m", input: "hi", text: { format: { type: "json_schema", name: "r", schema } } }),
    field: "text.format.schema",
  },
  "openai-chat": {
    body: (schema) => ({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      response_format: { type: "json_schema", json_schema: { name: "r", schema } },
    }),
    field: "response_format.json_schema.schema",
  },
  anthropic: {
    body: (schema) => ({
      model: "m",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
      output_config: { format: { type: "json_schema", schema } },
    }),
    field: "output_config.format.schema",
  },
  gemini: {
    body: (schema) => ({
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
      generationConfig: { responseMimeType: "application/json", responseJsonSchema: schema },
    }),
    field: "generationConfig.responseJsonSchema",
  },
};

/** The request decoder's refusal of `body` (after the read stage's own bounds, which it passes). */
function refusal(dialect: Dialect, body: Json): InputError | undefined {
  const read = decodeJson(Buffer.from(JSON.stringify(body)));
  expect(read.ok, "the body is within the read stage's bounds").toBe(true);
  try {
    codecs[dialect].decodeRequest(read.ok ? read.json : null);
    return undefined;
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
}

const DIALECTS = Object.keys(WITH_TOOL) as Dialect[];

describe("a client's schema", () => {
  for (const [what, table] of [
    ["a tool's schema", WITH_TOOL],
    ["a structured output's schema", WITH_FORMAT],
  ] as const)
    for (const dialect of DIALECTS) {
      const { body, field } = table[dialect];
      it(`${what} deeper than ${SCHEMA_DEPTH_LIMIT} levels (${dialect}): a 400 naming ${field}`, () => {
        const err = refusal(dialect, body(deepSchema(SCHEMA_DEPTH_LIMIT + 2)));
        expect(err?.param).toBe(field);
        expect(err?.toErrorInfo().status).toBe(400);
        expect(err?.message).toContain(`deeper than ${SCHEMA_DEPTH_LIMIT} levels`);
      });
      it(`${what} of more than ${SCHEMA_VALUE_LIMIT} values (${dialect}): a 400 naming ${field}`, () => {
        const err = refusal(dialect, body(wideSchema(SCHEMA_VALUE_LIMIT)));
        expect(err?.param).toBe(field);
        expect(err?.message).toContain("more than 100,000 values");
      });
    }

  for (const dialect of DIALECTS)
    it(`a tool's schema at the bounds passes to every upstream untouched (${dialect})`, () => {
      for (const schema of [deepSchema(SCHEMA_DEPTH_LIMIT - 1), wideSchema(SCHEMA_VALUE_LIMIT - 10)]) {
        expect(valueBeyond(schema, SCHEMA_DEPTH_LIMIT, SCHEMA_VALUE_LIMIT)).toBeUndefined();
        const ir = codecs[dialect].decodeRequest(WITH_TOOL[dialect].body(schema));
        // The very value the client sent reaches the encoders: not copied, not rewritten.
        expect((ir.tools?.[0] as { parameters?: Json } | undefined)?.parameters).toBe(schema);
        for (const up of ["openai-chat", "openai-responses", "anthropic", "bedrock-converse"] as UpstreamDialect[]) {
          const text = JSON.stringify(upstreamCodecs[up].encodeRequest(ir).value.body);
          expect(text).toContain(JSON.stringify(schema));
        }
      }
    });
});

/** An upstream's whole answer with one tool call `f` whose input is `input` (JSON text). */
const ANSWER: Record<Exclude<UpstreamDialect, never>, (input: string) => string> = {
  "openai-chat": (input) =>
    JSON.stringify({
      id: "c1",
      object: "chat.completion",
      created: 1,
      model: "m",
      choices: [
        {
          index: 0,
          finish_reason: "tool_calls",
          message: {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: input } }],
          },
        },
      ],
    }),
  "openai-responses": (input) =>
    JSON.stringify({
      id: "resp_1",
      object: "response",
      status: "completed",
      model: "m",
      output: [{ type: "function_call", id: "fc_1", call_id: "t1", name: "f", arguments: input }],
    }),
  anthropic: (input) =>
    `{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"tool_use","id":"t1","name":"f","input":${input}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}}`,
  gemini: (input) =>
    `{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"f","args":${input}}}]},"finishReason":"STOP"}]}`,
  "bedrock-converse": (input) =>
    `{"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"f","input":${input}}}]}},"stopReason":"tool_use","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}`,
};

/** An object of `n` members: `n + 1` values, one level deep. */
const wideInput = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":0`).join(",")}}`;

describe("an upstream's tool call input", () => {
  for (const up of Object.keys(ANSWER) as UpstreamDialect[]) {
    it(`of more than ${TOOL_INPUT_VALUE_LIMIT} values from ${up}: refused by the answer's decoder, naming the call`, () => {
      const answer = JSON.parse(ANSWER[up](wideInput(TOOL_INPUT_VALUE_LIMIT))) as Json;
      expect(() => upstreamCodecs[up].decodeResponse(answer)).toThrow(
        "the upstream's input for the tool call 'f' holds more than 100,000 values and is not relayed",
      );
    });

    it(`within the bounds from ${up}: relayed to every client with the same input`, () => {
      const input = wideInput(TOOL_INPUT_VALUE_LIMIT - 10);
      const ir = upstreamCodecs[up].decodeResponse(JSON.parse(ANSWER[up](input)) as Json);
      const call = ir.content.find((p) => p.type === "tool_call");
      expect(call?.type === "tool_call" && call.arguments).toBe(input);
    });
  }

  it("of more than 100,000 values, streamed by a Chat upstream: the in-stream error naming the call", () => {
    const chunk = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const t = new StreamTranslator("openai-chat", "anthropic", { encode: { model: "m" } });
    t.push(
      Buffer.from(
        chunk({ tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "f", arguments: "" } }] }) +
          chunk({ tool_calls: [{ index: 0, function: { arguments: wideInput(TOOL_INPUT_VALUE_LIMIT) } }] }),
      ),
    );
    expect(() => {
      t.push(Buffer.from(`${chunk({}, "tool_calls")}data: [DONE]\n\n`));
      t.end();
    }).toThrow("tool call 'f' holds more than 100,000 values");
  });
});
