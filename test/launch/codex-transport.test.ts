import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOOLS } from "../../src/launch/tools.js";
import { acceptsResponsesSocket } from "../../src/launch/websocket-probe.js";
import { type Harness, startHarness } from "../support/gateway.js";

const KEY = "svc-launch-0123456789";

describe("llmux codex chooses Codex's transport", () => {
  let on: Harness;
  let off: Harness;
  beforeAll(async () => {
    on = await startHarness(() => ({ auth: { keys: [KEY] } }));
    off = await startHarness(() => ({ auth: { keys: [KEY] }, server: { websocket: false } }));
  });
  afterAll(async () => {
    await on.close();
    await off.close();
  });

  it("probes whether llmux accepts the Responses WebSocket (for this key)", async () => {
    expect(await acceptsResponsesSocket(on.url, KEY)).toBe(true);
    expect(await acceptsResponsesSocket(on.url, "not-a-key")).toBe(false);
    expect(await acceptsResponsesSocket(off.url, KEY)).toBe(false);
    expect(await acceptsResponsesSocket("http://127.0.0.1:1", KEY)).toBe(false);
  });

  it("without WebSockets, the custom provider over HTTP with the key in LLMUX_KEY", () => {
    const s = TOOLS.codex.setup({ url: off.url, key: KEY, model: "gpt-5.5", websocket: false });
    expect(s.args.slice(0, 4)).toEqual([
      "-c",
      "model_provider=llmux",
      "-c",
      `model_providers.llmux={name="llmux",base_url="${off.url}/v1",env_key="LLMUX_KEY",wire_api="responses"}`,
    ]);
    expect(s.env).toEqual({ LLMUX_KEY: KEY });
  });

  it("with WebSockets, the built-in provider at openai_base_url with the key in CODEX_API_KEY", () => {
    const s = TOOLS.codex.setup({ url: on.url, key: KEY, websocket: true });
    expect(s.args.slice(0, 4)).toEqual(["-c", "model_provider=openai", "-c", `openai_base_url="${on.url}/v1"`]);
    expect(s.env).toEqual({ CODEX_API_KEY: KEY });
    expect(s.unset).toContain("OPENAI_API_KEY");
  });
});
