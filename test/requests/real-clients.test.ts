/**
 * Captured requests of real clients (Claude Code, Codex CLI, OpenCode) from
 * /work/shared/fixtures/real-clients: each one decodes and encodes to every upstream, and a few mapped fields
 * are spot-checked against the reference.
 */
import { describe, expect, it } from "vitest";
import { DIALECTS, type JsonObject } from "../../src/ir/types.js";
import { codecs } from "../../src/translate/codecs.js";
import {
  ANTHROPIC_TOOL_ID,
  expectWarning,
  loadClientFixture,
  loadClientFixtures,
  obj,
  objs,
  translate,
} from "./helpers.js";

const fixtures = loadClientFixtures();

describe("real client requests: decode and encode to every upstream", () => {
  it("finds the captured requests", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(18);
    // No Gemini client was captured (Gemini CLI runs in test/clients); every other dialect is.
    expect(new Set(fixtures.map((f) => f.dialect))).toEqual(new Set(DIALECTS.filter((d) => d !== "gemini")));
  });

  for (const f of fixtures) {
    for (const to of DIALECTS) {
      it(`${f.file} (${f.dialect}) → ${to}`, () => {
        const ir = codecs[f.dialect].decodeRequest(f.body);
        expect(ir.model).toBe(f.body.model);
        const { value, warnings } = codecs[to].encodeRequest(ir);
        // Gemini names the model in the URL, not the body.
        if (to === "gemini") expect(value.body.model).toBeUndefined();
        else expect(value.body.model).toBe(f.body.model);
        for (const w of warnings) {
          expect(typeof w.code).toBe("string");
          expect(typeof w.message).toBe("string");
        }
        // Every upstream body must be plain JSON.
        expect(JSON.parse(JSON.stringify(value.body))).toEqual(value.body);
        if (to === "anthropic") {
          expect(typeof value.body.max_tokens).toBe("number");
          for (const m of objs(value.body.messages)) {
            for (const b of objs(m.content)) {
              if (b.type === "tool_use") expect(b.id).toMatch(ANTHROPIC_TOOL_ID);
              if (b.type === "tool_result") expect(b.tool_use_id).toMatch(ANTHROPIC_TOOL_ID);
              if (b.type === "text") expect((b.text as string).trim()).not.toBe("");
            }
          }
        }
        if (to === "gemini") {
          // Every functionResponse names a function the history called, and no part is empty.
          const called = new Set<string>();
          for (const c of objs(value.body.contents)) {
            expect(["user", "model"]).toContain(c.role);
            for (const p of objs(c.parts)) {
              expect(Object.keys(p).length).toBeGreaterThan(0);
              if (p.functionCall) called.add(String(obj(p.functionCall).name));
              if (p.functionResponse) expect(called).toContain(String(obj(p.functionResponse).name));
            }
          }
          for (const t of objs(value.body.tools ?? []))
            for (const d of objs(t.functionDeclarations ?? [])) {
              expect(JSON.stringify(d)).not.toMatch(/additionalProperties|"\$ref"|"\$schema"/);
              // Only the formats Gemini takes for each type (any other is a 400; Claude Code sends "uri").
              for (const [type, format] of formatsIn(d.parameters))
                expect(`${type}:${format}`).toMatch(
                  /^(string:(enum|date-time)|number:(float|double)|integer:(int32|int64))$/,
                );
            }
        }
        if (to === "openai-responses" && f.dialect !== "openai-responses") {
          for (const t of objs(value.body.tools ?? [])) if (t.type === "function") expect(t.strict).toBe(false);
        }
      });
    }
  }
});

/** Each [type, format] pair of a schema and its subschemas (a property may itself be named "format"). */
function formatsIn(schema: unknown, found: [string, string][] = []): [string, string][] {
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return found;
  const o = schema as Record<string, unknown>;
  if (o.format !== undefined) found.push([String(o.type), JSON.stringify(o.format)]);
  if (o.properties && typeof o.properties === "object")
    for (const sub of Object.values(o.properties as object)) formatsIn(sub, found);
  formatsIn(o.items, found);
  for (const sub of Array.isArray(o.anyOf) ? o.anyOf : []) formatsIn(sub, found);
  return found;
}

describe("real client requests: spot checks", () => {
  it("OpenCode chat tool round trip → anthropic: content:'' dropped, tool_use/tool_result paired", () => {
    const f = loadClientFixture("opencode-chat-toolroundtrip-POST__v1_chat_completions_tool_result.json");
    const msgs = f.body.messages as JsonObject[];
    const out = translate("openai-chat", "anthropic", f.body);
    expect(out.body.system).toBe(msgs[0]!.content);
    expect(out.body.max_tokens).toBe(8192);
    expect(out.body.stream).toBe(true);
    expect(out.body.tool_choice).toEqual({ type: "auto" });
    expect(objs(out.body.tools).map((t) => t.name)).toEqual(
      (f.body.tools as JsonObject[]).map((t) => obj(t.function).name),
    );
    for (const t of objs(out.body.tools)) expect(obj(t.input_schema).type).toBe("object");
    expect(objs(out.body.messages).slice(1)).toEqual([
      {
        role: "assistant",
        content: [
          {
            type: "tool_use",
            id: "call_fake13",
            name: "read",
            input: { filePath: "/home/user/project/hello.txt" },
          },
        ],
      },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "call_fake13", content: msgs[3]!.content }],
      },
    ]);
  });

  it("OpenCode chat tool round trip → responses: instructions, function_call + output by call_id, strict:false", () => {
    const f = loadClientFixture("opencode-chat-toolroundtrip-POST__v1_chat_completions_tool_result.json");
    const out = translate("openai-chat", "openai-responses", f.body);
    expect(out.body.instructions).toBe((f.body.messages as JsonObject[])[0]!.content);
    expect(out.body.max_output_tokens).toBe(8192);
    const input = objs(out.body.input);
    expect(input.map((i) => i.type)).toEqual(["message", "function_call", "function_call_output"]);
    expect(input[1]).toEqual({
      type: "function_call",
      call_id: "call_fake13",
      name: "read",
      arguments: '{"filePath":"/home/user/project/hello.txt"}',
    });
  });

  it("OpenCode title generation (chat) → anthropic: system string, the two user messages in one turn", () => {
    const f = loadClientFixture("opencode-chat-20-title-gen-small_model.json");
    const out = translate("openai-chat", "anthropic", f.body);
    expect(out.body.max_tokens).toBe(4096);
    expect(objs(out.body.messages)).toHaveLength(1);
    expect(objs(objs(out.body.messages)[0]!.content).map((b) => b.text)).toEqual([
      "Generate a title for this conversation:\n",
      '"say hi"',
    ]);
  });

  it("Claude Code sonnet-4-5 tool round trip → chat", () => {
    const f = loadClientFixture("claude-sonnet45-toolroundtrip-06-POST__v1_messages_tool_result.json");
    const out = translate("anthropic", "openai-chat", f.body);
    const msgs = objs(out.body.messages);
    expect(msgs[0]!.role).toBe("system");
    expect(JSON.stringify(msgs[0]!.content)).toContain("You are a Claude agent");
    expect(msgs.slice(-2)).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "toolu_fake_5",
            type: "function",
            function: { name: "Read", arguments: '{"file_path":"/home/user/project/hello.txt"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "toolu_fake_5", content: "1\thello from file 1795271597\n2\t" },
    ]);
    expect(out.body.max_completion_tokens).toBe(32_000);
    expect(out.body.user).toBe(obj(f.body.metadata).user_id);
    expect(objs(out.body.tools)).toHaveLength(24);
    expect(typeof out.body.reasoning_effort).toBe("string");
    expectWarning(out.warnings, "dropped_field", "context_management");
  });

  it("Claude Code sonnet-4-5 tool round trip → responses", () => {
    const f = loadClientFixture("claude-sonnet45-toolroundtrip-06-POST__v1_messages_tool_result.json");
    const out = translate("anthropic", "openai-responses", f.body);
    expect(out.body.instructions).toMatch(/x-anthropic-billing-header[\s\S]*You are a Claude agent/);
    expect(objs(out.body.input).slice(-2)).toEqual([
      {
        type: "function_call",
        call_id: "toolu_fake_5",
        name: "Read",
        arguments: '{"file_path":"/home/user/project/hello.txt"}',
      },
      { type: "function_call_output", call_id: "toolu_fake_5", output: "1\thello from file 1795271597\n2\t" },
    ]);
    expect(out.body.store).toBe(false);
    expect(out.body.include).toEqual(["reasoning.encrypted_content"]);
  });

  it("Claude Code sonnet-4-5 tool round trip → anthropic: passthrough, but thinking is turned off (the open loop has no thinking block)", () => {
    const f = loadClientFixture("claude-sonnet45-toolroundtrip-06-POST__v1_messages_tool_result.json");
    const out = translate("anthropic", "anthropic", f.body);
    expect(out.body.system).toEqual(f.body.system);
    expect(out.body.tools).toEqual(f.body.tools);
    expect(out.body.metadata).toEqual(f.body.metadata);
    expect(out.body.context_management).toEqual(f.body.context_management);
    expect(objs(out.body.messages)[2]).toEqual((f.body.messages as JsonObject[])[2]);
    expect(out.body.thinking).toBeUndefined();
    expectWarning(out.warnings, "thinking_disabled", "thinking");
  });

  it("Claude Code (opus, adaptive) with a trailing role:system message", () => {
    const f = loadClientFixture("claude-07-POST__v1_messages_stream_tools.json");
    const last = (f.body.messages as JsonObject[]).at(-1)!;
    expect(last.role).toBe("system");

    const a = translate("anthropic", "anthropic", f.body);
    expect(a.body.thinking).toEqual({ type: "adaptive" });
    expect(a.body.output_config).toEqual({ effort: "high" });
    expect(a.body.context_management).toEqual(f.body.context_management);
    expect(objs(a.body.messages).at(-1)).toEqual({ role: "system", content: [{ type: "text", text: last.content }] });

    const c = translate("anthropic", "openai-chat", f.body);
    expect(c.body.reasoning_effort).toBe("high");
    expect(objs(c.body.messages).at(-1)).toEqual({ role: "system", content: last.content });

    const r = translate("anthropic", "openai-responses", f.body);
    expect(obj(r.body.reasoning).effort).toBe("high");
    expect(objs(r.body.input).at(-1)).toEqual({
      type: "message",
      role: "system",
      content: [{ type: "input_text", text: last.content }],
    });
  });

  it("Claude Code on claude-opus-5-5: adaptive thinking with display:omitted kept", () => {
    const f = loadClientFixture("claude-2.1.330-17-POST__v1_messages_stream_tools.json");
    const a = translate("anthropic", "anthropic", f.body);
    expect(a.body.thinking).toEqual({ type: "adaptive", display: "omitted" });
    expect(a.body.output_config).toEqual({ effort: "medium" });
    expect(a.body.max_tokens).toBe(128_000);
    expect(translate("anthropic", "openai-chat", f.body).body.reasoning_effort).toBe("medium");
  });

  it("Codex tool round trip → anthropic: developer items → system, call_id used, built-in tool dropped, namespace flattened", () => {
    const f = loadClientFixture("codex-responses-toolroundtrip-08-POST__v1_responses_function_call_output.json");
    const out = translate("openai-responses", "anthropic", f.body);
    expect(objs(out.body.system)).toHaveLength(3); // two developer items, the second with two input_text parts
    const msgs = objs(out.body.messages);
    expect(msgs.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(msgs[1]).toEqual({
      role: "assistant",
      content: [{ type: "tool_use", id: "call_fake7", name: "exec_command", input: { cmd: "cat hello.txt" } }],
    });
    expect(objs(msgs[2]!.content)[0]).toMatchObject({ type: "tool_result", tool_use_id: "call_fake7" });
    expect(JSON.stringify(out.body)).not.toContain("fc_fake7");
    const names = objs(out.body.tools).map((t) => t.name as string);
    expect(names).toContain("multi_agent_v1__spawn_agent");
    expect(names).not.toContain("web_search");
    expect(out.tools.get("multi_agent_v1__spawn_agent")).toEqual({
      name: "spawn_agent",
      kind: "function",
      namespace: "multi_agent_v1",
    });
    expectWarning(out.warnings, "tool_dropped");
    expectWarning(out.warnings, "dropped_field", "client_metadata");
    expect(out.body.tool_choice).toEqual({ type: "auto" });
  });

  it("Codex tool round trip → chat: tool_calls id is the call_id, developer messages kept", () => {
    const f = loadClientFixture("codex-responses-toolroundtrip-08-POST__v1_responses_function_call_output.json");
    const out = translate("openai-responses", "openai-chat", f.body);
    const msgs = objs(out.body.messages);
    expect(msgs.map((m) => m.role)).toEqual(["developer", "developer", "user", "user", "assistant", "tool"]);
    expect(objs(msgs[4]!.tool_calls)[0]!.id).toBe("call_fake7");
    expect(msgs[5]!.tool_call_id).toBe("call_fake7");
    expect(JSON.stringify(out.body)).not.toContain("fc_fake7");
    expect(out.body.prompt_cache_key).toBe(f.body.prompt_cache_key);
  });

  it("Codex tool round trip → responses: passthrough (store:false, include, client_metadata)", () => {
    const f = loadClientFixture("codex-responses-toolroundtrip-08-POST__v1_responses_function_call_output.json");
    const out = translate("openai-responses", "openai-responses", f.body);
    expect(out.body.tools).toEqual(f.body.tools);
    expect(out.body.store).toBe(false);
    expect(out.body.include).toEqual(["reasoning.encrypted_content"]);
    expect(out.body.client_metadata).toEqual(f.body.client_metadata);
    expect(out.body.parallel_tool_calls).toBe(true);
    expect(objs(out.body.input).map((i) => i.type)).toEqual((f.body.input as JsonObject[]).map((i) => i.type));
    expect(out.warnings).toEqual([]);
  });

  it("Codex with Responses-only input items (additional_tools, configuration_update)", () => {
    const f = loadClientFixture("codex-openai-provider-19-POST__v1_responses_stream_notools.json");
    const same = translate("openai-responses", "openai-responses", f.body);
    expect(objs(same.body.input).map((i) => i.type)).toEqual((f.body.input as JsonObject[]).map((i) => i.type));
    expect(same.body.reasoning).toEqual(f.body.reasoning);

    // Tools declared by additional_tools items become real tool definitions for other upstreams, and the
    // effort of configuration_update applies; neither item needs to travel, so nothing is reported lost.
    const a = translate("openai-responses", "anthropic", f.body);
    expect(objs(a.body.messages).at(-1)!.role).toBe("user");
    const aNames = objs(a.body.tools).map((t) => t.name);
    expect(aNames).toEqual(
      expect.arrayContaining(["functions__exec", "functions__wait", "clock__sleep", "collaboration__spawn_agent"]),
    );
    expect(a.warnings.map((w) => w.code)).not.toContain("unsupported_content");
    expectWarning(a.warnings, "dropped_field", "reasoning.context");
    const c = translate("openai-responses", "openai-chat", f.body);
    expect(
      objs(c.body.tools).map(
        (t) => (t.function as JsonObject | undefined)?.name ?? (t.custom as JsonObject | undefined)?.name,
      ),
    ).toContain("clock__sleep");
    expect(c.warnings.map((w) => w.code)).not.toContain("unsupported_content");
    expect(c.body.reasoning_effort).toBe("low");
    // Same dialect: the additional_tools item still declares them; the tools list does not repeat them.
    expect(same.body.tools).toBeUndefined();
  });

  it("OpenCode responses → anthropic: developer message → system, max_output_tokens → max_tokens", () => {
    const f = loadClientFixture("opencode-responses-25-POST__v1_responses_stream_tools.json");
    const out = translate("openai-responses", "anthropic", f.body);
    expect(out.body.system).toBe((f.body.input as JsonObject[])[0]!.content);
    expect(out.body.max_tokens).toBe(8192);
    expect(objs(out.body.messages)).toEqual([{ role: "user", content: [{ type: "text", text: '"say hi"' }] }]);
    expect(objs(out.body.tools)).toHaveLength(9);
  });

  it("OpenCode anthropic → chat / responses: cached user text block becomes plain text", () => {
    const f = loadClientFixture("opencode-anthropic-23-POST__v1_messages_stream_tools.json");
    const c = translate("anthropic", "openai-chat", f.body);
    expect(objs(c.body.messages).at(-1)).toEqual({ role: "user", content: '"say hi"' });
    expect(c.body.tool_choice).toBe("auto");
    expect(c.body.max_completion_tokens).toBe(8192);
    const r = translate("anthropic", "openai-responses", f.body);
    expect(objs(r.body.input).at(-1)).toEqual({
      type: "message",
      role: "user",
      content: [{ type: "input_text", text: '"say hi"' }],
    });
    const a = translate("anthropic", "anthropic", f.body);
    expect(a.body.messages).toEqual(f.body.messages);
  });

  it("Claude Code body converted to Chat (claude-07-as-openai-chat-body) → anthropic", () => {
    const f = loadClientFixture("claude-07-as-openai-chat-body.json");
    expect(f.dialect).toBe("openai-chat");
    const out = translate("openai-chat", "anthropic", f.body);
    expect(out.body.max_tokens).toBe(64_000);
    expect(JSON.stringify(out.body.system)).toContain("You are a Claude agent");
    expect(objs(out.body.tools)).toHaveLength(24);
    expect(objs(out.body.messages).map((m) => m.role)).toEqual(["user"]);
  });
});
