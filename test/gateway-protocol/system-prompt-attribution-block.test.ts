/**
 * Gateway protocol, "System prompt attribution block": on an Anthropic upstream the `system` array arrives
 * exactly as sent, the attribution block first and in its own entry; on any other upstream the block is
 * left out of what the model sees, so the prompt's prefix is the same on every turn and provider caches hit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { RECORDED, recorded, sameNameModels } from "./recorded.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({ models: sameNameModels("anthropic") }));
});
afterAll(async () => {
  await h.close();
});

const BLOCK = "x-anthropic-billing-header:";

/** A recorded request whose attribution block names another version and conversation fingerprint. */
function withAttribution(file: (typeof RECORDED)[number], version: string, model?: string) {
  const req = recorded(file);
  req.body.system[0].text = `${BLOCK} cc_version=${version}; cc_entrypoint=cli; cch=${version.replaceAll(".", "")};`;
  if (model) req.body.model = model;
  req.raw = JSON.stringify(req.body);
  return req;
}

async function send(req: ReturnType<typeof withAttribution>): Promise<string> {
  h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
  const res = await fetch(`${h.url}/v1/messages?beta=true`, { method: "POST", headers: req.headers, body: req.raw });
  expect(res.status, await res.text()).toBe(200);
  return h.mock.requests.at(-1)!.raw;
}

describe("system prompt attribution block", () => {
  it("reaches an Anthropic upstream exactly as sent: first, in its own entry", async () => {
    for (const file of RECORDED) {
      const req = withAttribution(file, "2.1.330.440");
      const upstream = JSON.parse(await send(req));
      expect(upstream.system).toEqual(req.body.system);
      expect(upstream.system[0].text.startsWith(BLOCK)).toBe(true);
      expect(upstream.system[1].text.startsWith(BLOCK)).toBe(false);
    }
  });

  for (const alias of ["via-openai-chat", "via-azure-responses", "via-compat", "via-gemini"]) {
    it(`is left out for ${alias}, and the prompt prefix stays the same when the block changes`, async () => {
      const first = await send(withAttribution(RECORDED[0], "2.1.330.440", alias));
      const second = await send(withAttribution(RECORDED[0], "2.1.331.17", alias));
      expect(first).not.toContain(BLOCK);
      expect(first).not.toContain("cc_version");
      expect(first).toContain("You are a Claude agent");
      expect(second).toBe(first);
    });
  }
});
