/**
 * AbortFlag (src/http/abort-flag.ts) behaves as Node's own AbortController does for the part of AbortSignal the
 * request path uses: each case runs the same script against both and compares what the listeners saw.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AbortFlag, type AbortLike, signalOf } from "../../src/http/abort-flag.js";

interface Subject {
  target: AbortLike;
  abort(reason?: unknown): void;
}

const real = (): Subject => {
  const c = new AbortController();
  return { target: c.signal, abort: (r) => c.abort(r) };
};
const flag = (): Subject => {
  const f = new AbortFlag();
  return { target: f, abort: (r) => f.abort(r) };
};

/** Runs `script` on a subject, returning what happened, in order. */
function trace(make: () => Subject, script: (s: Subject, log: string[]) => void): string[] {
  const log: string[] = [];
  script(make(), log);
  return log;
}

function same(script: (s: Subject, log: string[]) => void): string[] {
  const expected = trace(real, script);
  expect(trace(flag, script)).toEqual(expected);
  return expected;
}

const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);

afterEach(() => {
  process.off("uncaughtException", onUncaught);
  uncaught.length = 0;
});

describe("AbortFlag against AbortController", () => {
  it("calls listeners once, in the order added, with an abort event, and a function's this is the target", () => {
    const log = same((s, log) => {
      s.target.addEventListener("abort", (e) => log.push(`a:${e.type}`));
      s.target.addEventListener("abort", { handleEvent: (e) => log.push(`b:${e.type}`) });
      s.target.addEventListener(
        "abort",
        function (this: unknown) {
          log.push(`this is target: ${this === s.target}`);
        },
        { once: true },
      );
      log.push(`before: ${s.target.aborted}`);
      s.abort();
      s.abort("again");
      log.push(`after: ${s.target.aborted}`);
    });
    expect(log).toEqual(["before: false", "a:abort", "b:abort", "this is target: true", "after: true"]);
  });

  it("gives an AbortError when aborted without a reason, and keeps the first reason", () => {
    same((s, log) => {
      s.abort();
      const r = s.target.reason as DOMException;
      log.push(`${r instanceof DOMException} ${r.name} ${r.message}`);
    });
    same((s, log) => {
      const why = new Error("deadline");
      s.abort(why);
      s.abort(new Error("later"));
      log.push(String(s.target.reason === why));
    });
  });

  it("adds a listener once however often it is added, removes it, and never calls one added after the abort", () => {
    const log = same((s, log) => {
      const a = () => log.push("a");
      const b = { handleEvent: () => log.push("b") };
      s.target.addEventListener("abort", a);
      s.target.addEventListener("abort", a);
      s.target.addEventListener("abort", b);
      s.target.removeEventListener("abort", b);
      s.target.removeEventListener("abort", () => log.push("never added"));
      s.target.addEventListener("other", () => log.push("other type"));
      s.abort();
      s.target.addEventListener("abort", () => log.push("too late"));
      s.abort();
    });
    expect(log).toEqual(["a"]);
  });

  it("does not call a listener an earlier one removed, nor one added while the abort is dispatched", () => {
    const log = same((s, log) => {
      const b = () => log.push("b");
      s.target.addEventListener("abort", () => {
        log.push("a");
        s.target.removeEventListener("abort", b);
      });
      s.target.addEventListener("abort", b);
      s.target.addEventListener("abort", () => {
        log.push("c");
        s.target.addEventListener("abort", () => log.push("added meanwhile"));
      });
      s.abort();
    });
    expect(log).toEqual(["a", "c"]);
  });

  it("reports a listener that throws as uncaught, and still calls the others", async () => {
    process.on("uncaughtException", onUncaught);
    for (const make of [real, flag]) {
      const log: string[] = [];
      const s = make();
      s.target.addEventListener("abort", () => {
        throw new Error("boom");
      });
      s.target.addEventListener("abort", () => log.push("next"));
      s.abort();
      await new Promise((r) => setImmediate(r));
      expect(log).toEqual(["next"]);
      expect(uncaught.map((e) => (e as Error).message)).toEqual(["boom"]);
      uncaught.length = 0;
    }
  });
});

describe("signalOf", () => {
  it("is the signal itself when it is a real one", () => {
    const c = new AbortController();
    expect(signalOf(c.signal)).toBe(c.signal);
  });

  it("makes one real signal that follows the flag, aborted already when the flag was", () => {
    const f = new AbortFlag();
    const s = signalOf(f);
    expect(signalOf(f)).toBe(s);
    expect(s.aborted).toBe(false);
    const seen: unknown[] = [];
    s.addEventListener("abort", () => seen.push(s.reason));
    const why = new Error("gone");
    f.abort(why);
    expect(seen).toEqual([why]);
    const g = new AbortFlag();
    g.abort(why);
    expect(signalOf(g).aborted).toBe(true);
    expect(signalOf(g).reason).toBe(why);
    // A real signal works where only a real one will do.
    expect(AbortSignal.any([signalOf(g)]).aborted).toBe(true);
  });
});
