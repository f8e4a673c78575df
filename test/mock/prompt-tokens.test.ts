import { afterAll, describe, expect, it } from "vitest";
import { mock } from "../../src/cli/mock.js";
import { type MockServer, startMockServer } from "../../src/mock/server.js";

/** `llmux mock` reports the input tokens of its echo from the request, not 10 for any prompt. */
describe("the input tokens of the mock's echo", () => {
  const servers: MockServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
  });

  const ask = async (s: MockServer, content: string) => {
    const raw = JSON.stringify({ model: "m", messages: [{ role: "user", content }] });
    const res = await fetch(`${s.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: raw,
    });
    const body = (await res.json()) as { usage: { prompt_tokens: number } };
    return { raw, tokens: body.usage.prompt_tokens };
  };

  it("llmux mock: a token per four bytes of the request, as its count_tokens answers", async () => {
    const log = console.log;
    console.log = () => undefined;
    const s = await mock({ port: 0 }).finally(() => {
      console.log = log;
    });
    servers.push(s);
    const short = await ask(s, "Hi");
    expect(short.tokens).toBe(Math.ceil(short.raw.length / 4));
    const long = await ask(s, "word ".repeat(2000));
    expect(long.tokens).toBe(Math.ceil(long.raw.length / 4));
    expect(long.tokens).toBeGreaterThan(2500);
  });

  it("the tests' mock keeps its fixed figure unless asked", async () => {
    const s = await startMockServer();
    servers.push(s);
    expect((await ask(s, "word ".repeat(2000))).tokens).toBe(10);
  });
});
