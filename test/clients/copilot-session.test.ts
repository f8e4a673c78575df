/**
 * Copilot CLI is named `copilot` (not `openai-sdk-js`) and its requests carry its session, so its runs appear
 * under Sessions. The oracle is Copilot CLI itself: the requests in copilot-requests/ were recorded from the real
 * program (1.0.102) in its three provider modes, and `session` is the id it printed (`copilot --resume=<id>`).
 */
import { readdirSync, readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sessionOf } from "../../src/clients/session.js";
import { detectClientTool } from "../../src/clients/tool.js";
import { eventually, startHarness } from "../support/gateway.js";

interface Recorded {
  file: string;
  path: string;
  session: string;
  headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: recorded wire bodies, read freely
  body: any;
}

const DIR = join(import.meta.dirname, "copilot-requests");
const recorded: Recorded[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .map((file) => ({ file, ...(JSON.parse(readFileSync(join(DIR, file), "utf8")) as Omit<Recorded, "file">) }));

describe("Copilot CLI's recorded requests", () => {
  it("are three: Chat Completions, Anthropic Messages and Responses", () => {
    expect(recorded.map((r) => r.path).sort()).toEqual(["/v1/chat/completions", "/v1/messages", "/v1/responses"]);
  });

  for (const r of recorded) {
    it(`${r.file}: the tool is copilot, the session the one Copilot printed`, () => {
      expect(detectClientTool(r.headers)).toBe("copilot");
      expect(sessionOf(r.headers, r.body).session).toBe(r.session);
    });
  }

  it("the same SDKs without Copilot's headers are still the SDKs, and a session folder there names no session", () => {
    const chat = recorded.find((r) => r.path === "/v1/chat/completions")!;
    const { "x-initiator": _, "x-interaction-type": __, ...sdk } = chat.headers;
    expect(detectClientTool(sdk)).toBe("openai-sdk-js");
    expect(sessionOf(sdk, chat.body).session).toBeUndefined();
  });

  it("through llmux: the log line names copilot and its session, for each provider mode", async () => {
    const h = await startHarness();
    try {
      for (const r of recorded) {
        const headers: Record<string, string> = { "content-type": "application/json" };
        for (const [k, v] of Object.entries(r.headers))
          if (!["authorization", "x-api-key", "accept-encoding"].includes(k) && typeof v === "string") headers[k] = v;
        await fetch(`${h.url}${r.path}`, {
          method: "POST",
          headers,
          body: JSON.stringify({ ...r.body, model: "llmux-mock" }),
        }).then((res) => res.text());
        const line = await eventually(() => h.logs.find((l) => l.path === r.path && l.req_id !== undefined));
        expect(line.client_tool, r.file).toBe("copilot");
        expect(line.session, r.file).toBe(r.session);
      }
    } finally {
      await h.close();
    }
  });
});
