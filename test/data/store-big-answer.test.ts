/**
 * Storing a Responses answer of 60,000 reasoning parts holds the event loop in bounded slices, on both engines:
 * each item is serialised once, `STORE_SLICE_ITEMS` at a time with a turn of the event loop between (the whole
 * answer was serialised in one go, and on SQLite written on the main thread: ~3 s for everyone). Measured
 * structurally: every item counts the event-loop turn it was serialised in (its `toJSON`), and no turn
 * serialises more than a slice. The answer reads back whole.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { DataStore, STORE_SLICE_ITEMS } from "../../src/data/store.js";
import type { JsonObject } from "../../src/ir/types.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

const N = 60_000;

/** Counts event-loop turns (a setImmediate chain) and, per turn, the items serialised in it. */
class TurnCounter {
  turn = 0;
  private running = true;
  readonly perTurn = new Map<number, number>();
  constructor() {
    const tick = () => {
      if (!this.running) return;
      this.turn++;
      setImmediate(tick);
    };
    setImmediate(tick);
  }
  serialised(): void {
    this.perTurn.set(this.turn, (this.perTurn.get(this.turn) ?? 0) + 1);
  }
  stop(): number {
    this.running = false;
    return Math.max(...this.perTurn.values());
  }
}

/** An item that counts, when serialised, the turn it was serialised in (and serialises as the plain item). */
function counted(plain: JsonObject, counter: { current?: TurnCounter }): JsonObject {
  return Object.defineProperty({ ...plain }, "toJSON", {
    enumerable: false,
    value: () => {
      counter.current?.serialised();
      return plain;
    },
  });
}

describe.each(ENGINES)("a Responses answer of 60,000 reasoning parts on $engine", ({ fresh }) => {
  let where: TestLocation;
  let store: DataStore;
  beforeAll(async () => {
    where = await fresh();
    store = new DataStore(new Data({ path: where.path, url: where.url }), {
      reasoningMaxEntries: 10,
      reasoningTtlSeconds: 60,
    });
  });
  afterAll(async () => {
    await store.close();
    await where.drop();
  });

  it("is serialised and written in bounded slices of the event loop, and reads back whole", async () => {
    const plain: JsonObject[] = [];
    for (let i = 0; i < N; i++)
      plain.push({ type: "reasoning", id: `rs_${i}`, summary: [{ type: "summary_text", text: `step ${i}` }] });
    plain.push({ type: "message", id: "msg_1", role: "assistant", content: [{ type: "output_text", text: "done" }] });
    const input: JsonObject[] = [{ type: "message", id: "in_1", role: "user", content: "hi" }];
    const counter: { current?: TurnCounter } = {};
    const record = {
      id: "resp_big",
      createdAt: 1,
      input: input.map((i) => counted(i, counter)),
      response: { id: "resp_big", status: "completed", output: plain.map((p) => counted(p, counter)) },
    };
    counter.current = new TurnCounter();
    await store.responses.put("owner", record);
    const largestSlice = counter.current.stop();
    // Every item was serialised, and once: the answer's text is put together from the items' texts.
    expect([...counter.current.perTurn.values()].reduce((a, b) => a + b, 0)).toBe(N + 2);
    expect(largestSlice).toBeLessThanOrEqual(STORE_SLICE_ITEMS);

    const back = await store.responses.get("owner", "resp_big");
    expect(back).toEqual({
      id: "resp_big",
      previousId: undefined,
      createdAt: 1,
      input,
      response: { id: "resp_big", status: "completed", output: plain },
    });
    expect(await store.responses.item("owner", "rs_31337")).toEqual(plain[31337]);
    expect(await store.responses.item("owner", "in_1")).toEqual(input[0]);
  }, 120_000);
});
