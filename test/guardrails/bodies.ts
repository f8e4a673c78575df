/** Request bodies of each client dialect with a text planted in each position the guardrails scan. */

export type Position = "user" | "system" | "tool result" | "tool arguments";
export const POSITIONS: readonly Position[] = ["user", "system", "tool result", "tool arguments"];

export interface Call {
  path: string;
  body: Record<string, unknown>;
}

const args = (t: string) => JSON.stringify({ path: "config.ts", content: t });

export function chatCall(model: string, where: Position, t: string, stream: boolean): Call {
  const call = (name: string, a: string) => ({
    role: "assistant",
    content: null,
    tool_calls: [{ id: "call_1", type: "function", function: { name, arguments: a } }],
  });
  const messages =
    where === "user"
      ? [{ role: "user", content: t }]
      : where === "system"
        ? [
            { role: "system", content: t },
            { role: "user", content: "hello" },
          ]
        : where === "tool result"
          ? [
              { role: "user", content: "read .env" },
              call("read_file", '{"path":".env"}'),
              { role: "tool", tool_call_id: "call_1", content: t },
            ]
          : [
              { role: "user", content: "write it" },
              call("write_file", args(t)),
              { role: "tool", tool_call_id: "call_1", content: "ok" },
            ];
  return { path: "/v1/chat/completions", body: { model, stream, messages } };
}

export function responsesCall(model: string, where: Position, t: string, stream: boolean): Call {
  const call = (name: string, a: string) => ({ type: "function_call", call_id: "call_1", name, arguments: a });
  const body: Record<string, unknown> = { model, stream, store: false };
  if (where === "system") {
    body.instructions = t;
    body.input = "hello";
  } else if (where === "user") body.input = [{ role: "user", content: [{ type: "input_text", text: t }] }];
  else if (where === "tool result")
    body.input = [
      { role: "user", content: "read .env" },
      call("read_file", '{"path":".env"}'),
      { type: "function_call_output", call_id: "call_1", output: t },
    ];
  else
    body.input = [
      { role: "user", content: "write it" },
      call("write_file", args(t)),
      { type: "function_call_output", call_id: "call_1", output: "ok" },
    ];
  return { path: "/v1/responses", body };
}

export function messagesCall(model: string, where: Position, t: string, stream: boolean): Call {
  const use = (name: string, input: unknown) => ({
    role: "assistant",
    content: [{ type: "tool_use", id: "toolu_1", name, input }],
  });
  const result = (content: string) => ({
    role: "user",
    content: [{ type: "tool_result", tool_use_id: "toolu_1", content }],
  });
  const body: Record<string, unknown> = { model, stream, max_tokens: 1000 };
  if (where === "system") {
    body.system = t;
    body.messages = [{ role: "user", content: "hello" }];
  } else if (where === "user") body.messages = [{ role: "user", content: t }];
  else if (where === "tool result")
    body.messages = [{ role: "user", content: "read .env" }, use("read_file", { path: ".env" }), result(t)];
  else
    body.messages = [
      { role: "user", content: "write it" },
      use("write_file", { path: "config.ts", content: t }),
      result("ok"),
    ];
  return { path: "/v1/messages", body };
}

export function geminiCall(model: string, where: Position, t: string, stream: boolean): Call {
  const call = (name: string, a: unknown) => ({ role: "model", parts: [{ functionCall: { name, args: a } }] });
  const answer = (name: string, response: unknown) => ({
    role: "user",
    parts: [{ functionResponse: { name, response } }],
  });
  const body: Record<string, unknown> = {};
  if (where === "system") {
    body.systemInstruction = { parts: [{ text: t }] };
    body.contents = [{ role: "user", parts: [{ text: "hello" }] }];
  } else if (where === "user") body.contents = [{ role: "user", parts: [{ text: t }] }];
  else if (where === "tool result")
    body.contents = [
      { role: "user", parts: [{ text: "read .env" }] },
      call("read_file", { path: ".env" }),
      answer("read_file", { content: t }),
    ];
  else
    body.contents = [
      { role: "user", parts: [{ text: "write it" }] },
      call("write_file", { path: "config.ts", content: t }),
      answer("write_file", { ok: true }),
    ];
  const method = stream ? "streamGenerateContent?alt=sse" : "generateContent";
  return { path: `/v1beta/models/${model}:${method}`, body };
}

export const DIALECT_CALLS = [
  { dialect: "chat", model: "via-openai-chat", build: chatCall },
  { dialect: "responses", model: "via-azure-responses", build: responsesCall },
  { dialect: "messages", model: "via-anthropic", build: messagesCall },
  { dialect: "gemini", model: "via-gemini", build: geminiCall },
] as const;
