/**
 * A Gemini upstream that blocks the prompt (`promptFeedback.blockReason`, no candidate): a Gemini client
 * (the official @google/genai SDK) learns that the *prompt* was blocked and why, streaming or not, as it
 * would from Gemini itself; clients of other dialects get a content-filter stop.
 */
import { GoogleGenAI } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const BLOCKED = {
  promptFeedback: { blockReason: "PROHIBITED_CONTENT" },
  usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 },
  modelVersion: "gemini-2.5-pro",
  responseId: "blocked-1",
};
const blocked = () => h.mock.enqueue({ raw: `data: ${JSON.stringify(BLOCKED)}\r\n\r\n` });
const ai = () => new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: h.url, retryOptions: { attempts: 1 } } });

describe("a blocked prompt from a Gemini upstream", () => {
  it("reaches a Gemini client with its blockReason and no candidate", async () => {
    blocked();
    const res = await ai().models.generateContent({ model: "via-gemini", contents: "something prohibited" });
    expect(res.promptFeedback?.blockReason).toBe("PROHIBITED_CONTENT");
    expect(res.candidates ?? []).toEqual([]);
    expect(res.usageMetadata?.promptTokenCount).toBe(7);
  });

  it("reaches a streaming Gemini client the same way", async () => {
    blocked();
    const chunks = [];
    for await (const c of await ai().models.generateContentStream({ model: "via-gemini", contents: "prohibited" }))
      chunks.push(c);
    expect(chunks.map((c) => c.promptFeedback?.blockReason)).toContain("PROHIBITED_CONTENT");
    expect(chunks.flatMap((c) => c.candidates ?? [])).toEqual([]);
  });

  it("is a content-filter stop for an Anthropic client", async () => {
    blocked();
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "k" },
      body: JSON.stringify({ model: "via-gemini", max_tokens: 10, messages: [{ role: "user", content: "x" }] }),
    });
    const body = (await res.json()) as { stop_reason: string };
    expect(body.stop_reason).toBe("refusal");
  });
});
