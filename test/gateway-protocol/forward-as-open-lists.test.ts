/**
 * Gateway protocol, "Forward as open lists": to an Anthropic-format upstream, every `anthropic-*` request
 * header and every request body field passes unchanged, including ones invented for this test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { INVENTED, RECORDED, recorded, sameNameModels } from "./recorded.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({ models: sameNameModels("anthropic") }));
});
afterAll(async () => {
  await h.close();
});

describe("forward as open lists (Anthropic upstream)", () => {
  for (const file of RECORDED) {
    it(`passes ${file} with invented betas, headers and fields through byte for byte`, async () => {
      const req = recorded(file);
      h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
      const res = await fetch(`${h.url}/v1/messages?beta=true`, {
        method: "POST",
        headers: req.headers,
        body: req.raw,
      });
      await res.text();
      expect(res.status).toBe(200);
      const got = h.mock.requests.at(-1)!;
      expect(got.raw).toBe(req.raw);
      expect(got.headers["anthropic-beta"]).toBe(req.headers["anthropic-beta"]);
      expect(got.headers["anthropic-beta"]).toContain(INVENTED.beta);
      expect(got.headers["anthropic-version"]).toBe(req.headers["anthropic-version"]);
      expect(got.headers[INVENTED.header[0]]).toBe(INVENTED.header[1]);
      for (const name of Object.keys(req.headers).filter((n) => n.startsWith("anthropic-")))
        expect(got.headers[name], name).toBe(req.headers[name]);
      expect(got.headers["x-claude-code-session-id"]).toBe(req.headers["x-claude-code-session-id"]);
      expect(got.headers["x-claude-code-agent-id"]).toBe("agent-7");
      expect(got.headers["x-claude-code-parent-agent-id"]).toBe("agent-1");
      // The gateway's own credential replaces the caller's.
      expect(got.headers["x-api-key"]).toBe("an-key");
      expect(res.headers.get("llmux-warnings")).toBeNull();
    });
  }
});
