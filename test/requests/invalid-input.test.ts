/**
 * Malformed client requests: every decoder throws an InputError whose `param` names the offending field.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/ir/input-error.js";
import { expectInputError } from "./helpers.js";

describe("invalid chat requests", () => {
  const ok = { model: "gpt-5", messages: [{ role: "user", content: "hi" }] };

  it("body not an object", () => {
    expectInputError("openai-chat", [ok], "body");
    expectInputError("openai-chat", "hello", "body");
    expectInputError("openai-chat", null, "body");
  });

  it("missing / wrong-typed model", () => {
    expectInputError("openai-chat", { messages: ok.messages }, "model");
    expectInputError("openai-chat", { ...ok, model: 5 }, "model");
  });

  it("messages not an array, or empty", () => {
    expectInputError("openai-chat", { model: "gpt-5" }, "messages");
    expectInputError("openai-chat", { model: "gpt-5", messages: { role: "user", content: "hi" } }, "messages");
    expectInputError("openai-chat", { model: "gpt-5", messages: [] }, "messages");
  });

  it("unknown role", () => {
    const err = expectInputError(
      "openai-chat",
      {
        model: "gpt-5",
        messages: [
          { role: "user", content: "hi" },
          { role: "robot", content: "beep" },
        ],
      },
      "messages[1].role",
    );
    expect(err.message).toContain("robot");
  });

  it("wrong type of nested fields", () => {
    expectInputError("openai-chat", { model: "gpt-5", messages: ["hi"] }, "messages[0]");
    expectInputError(
      "openai-chat",
      { model: "gpt-5", messages: [{ role: "user", content: 42 }] },
      "messages[0].content",
    );
    expectInputError(
      "openai-chat",
      { model: "gpt-5", messages: [{ role: "user", content: [{ type: "text", text: 1 }] }] },
      "messages[0].content[0].text",
    );
    expectInputError(
      "openai-chat",
      { model: "gpt-5", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: 3 } }] }] },
      "messages[0].content[0].image_url.url",
    );
    expectInputError(
      "openai-chat",
      {
        model: "gpt-5",
        messages: [
          { role: "user", content: "hi" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ type: "function", function: { name: "f", arguments: "{}" } }],
          },
        ],
      },
      "messages[1].tool_calls[0].id",
    );
    expectInputError(
      "openai-chat",
      {
        model: "gpt-5",
        messages: [
          { role: "user", content: "hi" },
          { role: "tool", content: "x" },
        ],
      },
      "messages[1].tool_call_id",
    );
    expectInputError(
      "openai-chat",
      { ...ok, tools: [{ type: "function", function: { description: "no name" } }] },
      "tools[0].function.name",
    );
    expectInputError("openai-chat", { ...ok, tools: {} }, "tools");
    expectInputError("openai-chat", { ...ok, tool_choice: "sometimes" }, "tool_choice");
    expectInputError("openai-chat", { ...ok, temperature: "hot" }, "temperature");
    expectInputError("openai-chat", { ...ok, max_tokens: 10.5 }, "max_tokens");
    expectInputError("openai-chat", { ...ok, stream: "yes" }, "stream");
    expectInputError("openai-chat", { ...ok, stop: [1] }, "stop[0]");
    expectInputError("openai-chat", { ...ok, reasoning_effort: "extreme" }, "reasoning_effort");
    expectInputError("openai-chat", { ...ok, response_format: { type: "yaml" } }, "response_format.type");
    expectInputError(
      "openai-chat",
      { ...ok, response_format: { type: "json_schema", json_schema: { schema: {} } } },
      "response_format.json_schema.name",
    );
  });

  it("InputError maps to a 400 invalid_request error naming the param", () => {
    const err = expectInputError("openai-chat", { model: "gpt-5", messages: [{ role: 1 }] }, "messages[0].role");
    expect(err).toBeInstanceOf(InputError);
    expect(err.toErrorInfo()).toMatchObject({ status: 400, kind: "invalid_request", param: "messages[0].role" });
  });
});

describe("invalid responses requests", () => {
  const ok = { model: "gpt-5", input: "hi" };

  it("body not an object", () => {
    expectInputError("openai-responses", [ok], "body");
    expectInputError("openai-responses", 7, "body");
  });

  it("missing model", () => {
    expectInputError("openai-responses", { input: "hi" }, "model");
  });

  it("input neither a string nor an array", () => {
    expectInputError("openai-responses", { model: "gpt-5", input: 42 }, "input");
    expectInputError("openai-responses", { model: "gpt-5", input: { role: "user", content: "hi" } }, "input");
  });

  it("unknown role", () => {
    expectInputError(
      "openai-responses",
      {
        model: "gpt-5",
        input: [
          { role: "user", content: "hi" },
          { role: "robot", content: "beep" },
        ],
      },
      "input[1].role",
    );
  });

  it("wrong type of nested fields", () => {
    expectInputError("openai-responses", { model: "gpt-5", input: [{ content: "no type or role" }] }, "input[0].type");
    expectInputError("openai-responses", { model: "gpt-5", input: ["hi"] }, "input[0]");
    expectInputError(
      "openai-responses",
      { model: "gpt-5", input: [{ type: "message", role: "user", content: [{ type: "image", url: "x" }] }] },
      "input[0].content[0].type",
    );
    expectInputError(
      "openai-responses",
      { model: "gpt-5", input: [{ type: "message", role: "user", content: [{ type: "input_text", text: 1 }] }] },
      "input[0].content[0].text",
    );
    expectInputError(
      "openai-responses",
      {
        model: "gpt-5",
        input: [
          { role: "user", content: "hi" },
          { type: "function_call", name: "f", arguments: "{}" },
        ],
      },
      "input[1].call_id",
    );
    expectInputError(
      "openai-responses",
      { model: "gpt-5", input: [{ type: "function_call_output", output: "x" }] },
      "input[0].call_id",
    );
    expectInputError(
      "openai-responses",
      {
        model: "gpt-5",
        input: [{ type: "message", role: "assistant", content: [{ type: "input_image", image_url: "x" }] }],
      },
      "input[0].content[0].type",
    );
    expectInputError("openai-responses", { ...ok, tools: [{ type: "function" }] }, "tools[0].name");
    expectInputError(
      "openai-responses",
      { ...ok, tools: [{ type: "namespace", name: "ns", tools: [{ type: "function", name: 3 }] }] },
      "tools[0].tools[0].name",
    );
    expectInputError("openai-responses", { ...ok, reasoning: { effort: "extreme" } }, "reasoning.effort");
    expectInputError("openai-responses", { ...ok, reasoning: "high" }, "reasoning");
    expectInputError("openai-responses", { ...ok, max_output_tokens: "100" }, "max_output_tokens");
    expectInputError("openai-responses", { ...ok, include: "reasoning.encrypted_content" }, "include");
    expectInputError("openai-responses", { ...ok, text: { format: { type: "xml" } } }, "text.format.type");
    expectInputError("openai-responses", { ...ok, tool_choice: { type: "function" } }, "tool_choice.name");
  });
});

describe("invalid anthropic requests", () => {
  const ok = { model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content: "hi" }] };

  it("body not an object", () => {
    expectInputError("anthropic", [ok], "body");
    expectInputError("anthropic", "hi", "body");
  });

  it("missing model", () => {
    expectInputError("anthropic", { max_tokens: 100, messages: ok.messages }, "model");
  });

  it("messages not an array", () => {
    expectInputError("anthropic", { model: "claude-sonnet-4-5", max_tokens: 100 }, "messages");
    expectInputError("anthropic", { ...ok, messages: "hi" }, "messages");
  });

  it("unknown role (tool is not an Anthropic role)", () => {
    expectInputError(
      "anthropic",
      {
        ...ok,
        messages: [
          { role: "user", content: "hi" },
          { role: "tool", content: "x" },
        ],
      },
      "messages[1].role",
    );
  });

  it("wrong type of nested fields", () => {
    expectInputError("anthropic", { ...ok, max_tokens: "100" }, "max_tokens");
    expectInputError("anthropic", { ...ok, messages: [{ role: "user", content: 5 }] }, "messages[0].content");
    expectInputError(
      "anthropic",
      { ...ok, messages: [{ role: "user", content: [{ text: "no type" }] }] },
      "messages[0].content[0].type",
    );
    expectInputError(
      "anthropic",
      { ...ok, messages: [{ role: "user", content: [{ type: "image", source: { type: "ftp", url: "x" } }] }] },
      "messages[0].content[0].source.type",
    );
    expectInputError(
      "anthropic",
      {
        ...ok,
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: [{ type: "tool_use", id: 1, name: "f", input: {} }] },
        ],
      },
      "messages[1].content[0].id",
    );
    expectInputError(
      "anthropic",
      { ...ok, messages: [{ role: "user", content: [{ type: "tool_result", content: "x" }] }] },
      "messages[0].content[0].tool_use_id",
    );
    expectInputError(
      "anthropic",
      { ...ok, messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", is_error: "yes" }] }] },
      "messages[0].content[0].is_error",
    );
    expectInputError("anthropic", { ...ok, system: [{ type: "image" }] }, "system[0].type");
    expectInputError("anthropic", { ...ok, system: 5 }, "system");
    expectInputError("anthropic", { ...ok, thinking: { type: "on" } }, "thinking.type");
    expectInputError("anthropic", { ...ok, thinking: { type: "enabled" } }, "thinking.budget_tokens");
    expectInputError("anthropic", { ...ok, output_config: { effort: "extreme" } }, "output_config.effort");
    expectInputError("anthropic", { ...ok, tool_choice: { type: "required" } }, "tool_choice.type");
    expectInputError("anthropic", { ...ok, tool_choice: { type: "tool" } }, "tool_choice.name");
    expectInputError("anthropic", { ...ok, tools: [{ description: "no name" }] }, "tools[0].name");
    expectInputError("anthropic", { ...ok, tools: [{ name: "f", input_schema: "object" }] }, "tools[0].input_schema");
    expectInputError("anthropic", { ...ok, top_k: 1.5 }, "top_k");
  });
});
