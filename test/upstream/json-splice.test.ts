/** The passthrough body splice: changed top-level members re-serialised, everything else byte for byte. */
import { describe, expect, it } from "vitest";
import { PIECES_FROM } from "../../src/http/decode-json.js";
import { parseInPieces, topMembers } from "../../src/http/json-pieces.js";
import type { Json, JsonObject } from "../../src/ir/types.js";
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
    // Members that follow each other unchanged are one range of the text, what separates them included.
    expect(out).toBe(`{"model":"claude-sonnet-4-5","messages": ${messages}, "max_tokens":100 , "meta":{"a":"}"}}`);
  });

  it("equals the patched object for random bodies, spacing and changes, and keeps each unchanged member's bytes", () => {
    // mulberry32: the same bodies every run.
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    let compact = false;
    const space = () => (compact ? "" : [" ", "", "\n  ", "\t", ""][rnd(5)]!);
    const values = [
      '"x"',
      '"caf\\u00e9 \\"q\\" }]"',
      "1.5e2",
      "-0",
      "true",
      "null",
      '[1,{"a":[]}]',
      '{"k":"v,}"}',
      "[]",
    ];
    const keys = ["model", "messages", "max_tokens", "stream", "t\u00e9", 'a\\"b', "x"];
    for (let round = 0; round < 500; round++) {
      compact = round % 2 === 0;
      const chosen = keys.filter(() => rnd(3) > 0);
      const texts = chosen.map(
        (k) => `${space()}${JSON.stringify(k)}${space()}:${space()}${values[rnd(values.length)]}${space()}`,
      );
      const text = `${space()}{${texts.join(",")}}${space()}`;
      const original = JSON.parse(text) as JsonObject;
      // A member set to undefined is left out, as JSON.stringify leaves it (the settings views do that).
      const patched: Record<string, Json | undefined> = { ...original };
      for (const k of chosen) {
        const op = rnd(4);
        if (op === 0) patched[k] = `new-${round}`;
        else if (op === 1) delete patched[k];
        else if (op === 2) patched[k] = undefined;
      }
      if (rnd(2) === 0) patched[`added-${round}`] = [round];
      const out = spliceBody(Buffer.from(text), original, patched as JsonObject).toString("utf8");
      const expected = Object.fromEntries(Object.entries(patched).filter(([, v]) => v !== undefined));
      expect(JSON.parse(out), `${text} -> ${out}`).toEqual(expected);
      expect(Object.keys(JSON.parse(out) as JsonObject)).toEqual(Object.keys(expected));
      chosen.forEach((k, i) => {
        if (patched[k] === original[k]) expect(out).toContain(texts[i]!.trim());
      });
      // Without spaces, the text is exactly each member in order (unchanged: as sent; changed: serialised), then
      // the added ones: no member twice, none left over.
      if (compact) {
        const members = chosen.flatMap((k, i) =>
          patched[k] === undefined
            ? []
            : [patched[k] === original[k] ? texts[i]! : `${JSON.stringify(k)}:${JSON.stringify(patched[k])}`],
        );
        for (const [k, v] of Object.entries(patched))
          if (!chosen.includes(k)) members.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
        expect(out).toBe(`{${members.join(",")}}`);
      }
    }
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

  it("splices a body parsed in pieces from the members its parse found, to the bytes a scan of them gives", () => {
    const big = (c: string) => JSON.stringify(`${c.repeat(70_000)} caf\u00e9 "q" \\ }] → end\\`);
    const bodies = [
      `{"model":"a","messages":[${big("x")},{"k":${big("y")}},[]],"stream":true}`,
      ` \r\n{ "model" : "a" ,\n "messages" : [ ${big("x")} , ${big("z")} ] , "n" : 1.50e2 , "meta" : {"a":"}"} }\n `,
      `{"messages":{"a":${big("x")},"b":[${big("y")}]},"model":"a","t\u00e9":{}}`,
      `{"a\\"b":${big("q")},"model":"a","messages":[${big("r")}],"x":null}`,
    ];
    for (const text of bodies) {
      const raw = Buffer.from(text);
      expect(raw.length).toBeGreaterThan(PIECES_FROM);
      const pieces = parseInPieces(raw);
      expect(pieces !== undefined && "json" in pieces).toBe(true);
      expect(topMembers(raw)).toBeDefined();
      const original = JSON.parse(text) as JsonObject;
      for (const change of [
        (p: JsonObject) => {
          p.model = "claude-sonnet-4-5";
        },
        (p: JsonObject) => {
          delete p.messages;
          p.added = [1];
        },
        () => {},
      ]) {
        const patched = { ...original };
        change(patched);
        const out = spliceBody(raw, original, patched);
        // The same text in a buffer of its own, whose members are read again by a scan.
        expect(out.equals(spliceBody(Buffer.from(text), original, patched))).toBe(true);
        expect(JSON.parse(out.toString("utf8"))).toEqual(patched);
      }
    }
  });

  it("serialises a body parsed in pieces whose key is sent twice, as a scanned one", () => {
    const big = JSON.stringify("x".repeat(70_000));
    const text = `{"model":"a","messages":[${big},${big}],"model":"b"}`;
    const raw = Buffer.from(text);
    expect(parseInPieces(raw)).toBeDefined();
    // Three members found, two keys parsed: JSON.parse keeps the last "model".
    expect(topMembers(raw)).toHaveLength(6);
    const original = JSON.parse(text) as JsonObject;
    const out = spliceBody(raw, original, { ...original, model: "c" }).toString("utf8");
    expect(out).toBe(`{"model":"c","messages":[${big},${big}]}`);
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
