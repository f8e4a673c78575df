import { describe, expect, it } from "vitest";
import { ID_TIME_CHARS, newId, randomId, timeOrderedId } from "../../src/ir/ids.js";

describe("random ids drawn from the pooled random bytes", () => {
  it("are base62 of the length asked, across many pool refills, and never repeat", () => {
    const seen = new Set<string>();
    let long = 0;
    for (let i = 0; i < 5_000; i++) {
      const length = 1 + (i % 40);
      const id = randomId(length);
      expect(id).toMatch(new RegExp(`^[0-9a-zA-Z]{${length}}$`));
      if (length >= 16) {
        seen.add(id);
        long++;
      }
    }
    expect(seen.size).toBe(long);
  });

  it("serve a length larger than the pool", () => {
    expect(randomId(10_000)).toMatch(/^[0-9a-zA-Z]{10000}$/);
    expect(newId("resp_")).toMatch(/^resp_[0-9a-zA-Z]{24}$/);
  });
});

describe("time-ordered ids", () => {
  it("start with the time in base 36 and end with random base62, at the length asked", () => {
    const at = Date.UTC(2026, 10, 27, 12, 0, 0, 123);
    const id = timeOrderedId("req_", 20, at);
    expect(id).toMatch(/^req_[0-9a-z]{9}[0-9a-zA-Z]{11}$/);
    expect(Number.parseInt(id.slice(4, 4 + ID_TIME_CHARS), 36)).toBe(at);
  });

  it("sort in the order they were made, by plain and by locale comparison, and never repeat", () => {
    const start = Date.UTC(2026, 0, 1);
    const ids: string[] = [];
    // Times a millisecond to weeks apart, several ids in each millisecond, and around the year 2059, where the
    // time takes its ninth character.
    for (let i = 0; i < 2_000; i++) ids.push(timeOrderedId("req_", 20, start + Math.floor(i / 4) * (1 + (i % 7) ** 9)));
    for (const t of [36 ** 8 - 1, 36 ** 8, 36 ** 8 + 1]) ids.push(timeOrderedId("req_", 20, t));
    const times = ids.map((id) => Number.parseInt(id.slice(4, 4 + ID_TIME_CHARS), 36));
    for (let i = 1; i < ids.length; i++) {
      if (times[i]! === times[i - 1]!) continue;
      const later = times[i]! > times[i - 1]!;
      expect(ids[i]! > ids[i - 1]!).toBe(later);
      expect(ids[i]!.localeCompare(ids[i - 1]!, "en") > 0).toBe(later);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
