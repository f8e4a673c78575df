/** Fill-in-the-middle's pure parts: a chat model's answer cleaned, the requests' bounds named by field. */
import { describe, expect, it } from "vitest";
import { decodeFim } from "../../src/completions/ask.js";
import { cleanAnswer, nativeUrl } from "../../src/completions/upstream.js";
import { InputError } from "../../src/ir/input-error.js";
import { decodeRerank } from "../../src/rerank/ask.js";

const paramOf = (f: () => unknown): string | null | undefined => {
  try {
    f();
  } catch (err) {
    if (err instanceof InputError) return err.param;
    throw err;
  }
  return undefined;
};

describe("cleanAnswer", () => {
  it("drops a code fence, the prefix's last line repeated, and the suffix's start repeated", () => {
    expect(cleanAnswer("```ts\nreturn a + b;\n}\n```", "function add(a, b) {\n", "\n}\n")).toBe("return a + b;");
    expect(cleanAnswer("  x = 1", "def f():\n  ", undefined)).toBe("x = 1");
    expect(cleanAnswer("return a + b\n\nprint(add(1, 2))", "", "\n\nprint(add(1, 2))\n")).toBe("return a + b");
  });

  it("keeps an answer that holds none of them", () => {
    expect(cleanAnswer("a + b", "x = ", ")")).toBe("a + b");
    expect(cleanAnswer("", "x", "y")).toBe("");
  });
});

describe("bounds", () => {
  it("names the field", () => {
    expect(paramOf(() => decodeFim({ model: "m", prompt: "x", n: 3 }, "completions"))).toBe("n");
    expect(paramOf(() => decodeFim({ model: "m" }, "fim"))).toBe("prompt");
    expect(paramOf(() => decodeFim({ model: "m", prompt: "x".repeat(262_145) }, "fim"))).toBe("prompt");
    expect(paramOf(() => decodeFim({ model: "m", prompt: "x", max_tokens: 0 }, "fim"))).toBe("max_tokens");
    expect(paramOf(() => decodeFim({ model: "m", prompt: "x", stop: ["a", ""] }, "fim"))).toBe("stop[1]");
    expect(paramOf(() => decodeRerank({ model: "r", query: "q", documents: [] }))).toBe("documents");
    expect(paramOf(() => decodeRerank({ model: "r", query: "q", documents: ["a", 3] }))).toBe("documents[1]");
    expect(paramOf(() => decodeRerank({ model: "r", query: "q", documents: ["a"], top_n: 0 }))).toBe("top_n");
    expect(decodeRerank({ model: "r", query: "q", documents: ["a", { text: "b" }], top_n: 5 })).toMatchObject({
      documents: ["a", "b"],
      topN: 2,
    });
  });

  it("a native call's URL", () => {
    expect(nativeUrl("openai", "https://api.deepseek.com/beta/chat/completions")).toBe(
      "https://api.deepseek.com/beta/completions",
    );
    expect(nativeUrl("mistral", "https://api.mistral.ai/v1/chat/completions")).toBe(
      "https://api.mistral.ai/v1/fim/completions",
    );
  });
});
