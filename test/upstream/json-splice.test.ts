/** The passthrough body splice: changed top-level members re-serialised, everything else byte for byte. */
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/ir/types.js";
import { bodyView } from "../../src/models/settings-view.js";
import { spliceBody } from "../../src/upstream/json-splice.js";

function splice(text: string, change: (patched: JsonObject) => void): string {
  const original = JSON.parse(text) as JsonObject;
  const patched = { ...original };
  change(patched);
  const out = spliceBody(Buffer.from(text), original, patched).toString("utf8");
  expect(JSON.parse(out)).toEqual(patched);
  return out;
}

describe("spliceBody", () => {
  it("keeps unchanged members exactly as sent: escapes, spaces, number forms, nesting", () => {
    const messages =
      '[ {"role":"user","content":"caf\\u00e9 \\"quoted\\" \\\\ back\\\\slash } ] {","n":1.50e2}, {"x":[[],{}]} ]';
    const text = `{ "model" : "alias",\n  "messages": ${messages}, "max_tokens":100 , "meta":{"a":"}"} }`;
    const out = splice(text, (p) => {
      p.model = "claude-sonnet-4-5";
    });
    expect(out).toBe(`{"model":"claude-sonnet-4-5","messages": ${messages},"max_tokens":100,"meta":{"a":"}"}}`);
  });

  it("adds, replaces and removes members as the settings views do", () => {
    const text = '{"model":"a","reasoning":{"effort":"low","summary":"auto"},"temperature":0.2,"input":"hi"}';
    const out = splice(text, (p) => {
      p.model = "gpt-5-codex";
      const view = bodyView("openai-responses", p);
      view.setEffort("high");
      view.setTemperature(undefined);
      view.setVerbosity("low");
    });
    expect(out).toBe(
      '{"model":"gpt-5-codex","reasoning":{"effort":"high","summary":"auto"},"input":"hi","text":{"verbosity":"low"}}',
    );
  });

  it("never writes through to the client's nested objects", () => {
    const text = '{"model":"a","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":4000},"messages":[]}';
    const original = JSON.parse(text) as JsonObject;
    const patched = { ...original };
    bodyView("anthropic", patched).setMaxTokens(1500);
    expect(original.thinking).toEqual({ type: "enabled", budget_tokens: 4000 });
    expect(JSON.parse(spliceBody(Buffer.from(text), original, patched).toString())).toEqual(patched);
  });

  it("falls back to serialising when keys repeat (JSON.parse keeps the last)", () => {
    const text = '{"model":"a","model":"b","x":1}';
    const out = splice(text, (p) => {
      p.model = "c";
    });
    expect(out).toBe('{"model":"c","x":1}');
  });

  it("keeps an empty object and strings ending in escaped backslashes", () => {
    expect(
      splice("{}", (p) => {
        p.model = "m";
      }),
    ).toBe('{"model":"m"}');
    expect(
      splice('{"a":"x\\\\","b":"\\\\\\"","model":"q"}', (p) => {
        p.model = "m";
      }),
    ).toBe('{"a":"x\\\\","b":"\\\\\\"","model":"m"}');
  });
});
