import { describe, expect, it } from "vitest";
import { localStamp, wallClock, zoneOffsetMs } from "../../src/text/zone-time.js";

const MIN = 60_000;

describe("zone time", () => {
  it("reads the wall clock of a zone at an instant", () => {
    expect(wallClock(Date.UTC(2024, 2, 3, 15, 4, 5, 600), "Asia/Tokyo")).toEqual({
      year: 2024,
      month: 3,
      day: 4,
      hour: 0,
      minute: 4,
      second: 5,
    });
  });

  it("says a zone's offset at an instant, daylight saving time included", () => {
    expect(zoneOffsetMs("UTC", Date.UTC(2024, 0, 1))).toBe(0);
    expect(zoneOffsetMs("America/New_York", Date.UTC(2024, 0, 15))).toBe(-5 * 60 * MIN);
    expect(zoneOffsetMs("America/New_York", Date.UTC(2024, 6, 15))).toBe(-4 * 60 * MIN);
    expect(zoneOffsetMs("Asia/Kolkata", Date.UTC(2024, 6, 15, 0, 0, 0, 999))).toBe(330 * MIN);
  });

  it("stamps an instant as local time with its offset, east, west, on the hour and off it", () => {
    expect(localStamp(Date.UTC(2024, 2, 3, 15), "Asia/Tokyo")).toBe("2024-03-04T00:00:00+09:00");
    expect(localStamp(Date.UTC(2024, 2, 3, 15), "UTC")).toBe("2024-03-03T15:00:00+00:00");
    expect(localStamp(Date.UTC(2024, 0, 2, 3, 4, 5), "America/St_Johns")).toBe("2024-01-01T23:34:05-03:30");
    expect(localStamp(Date.UTC(2024, 0, 2), "Pacific/Chatham")).toBe("2024-01-02T13:45:00+13:45");
    // Liberia kept its local mean time (−0:44:30) until 1972: the seconds of the offset are said.
    expect(localStamp(Date.UTC(1960, 0, 1, 12), "Africa/Monrovia")).toBe("1960-01-01T11:15:30-00:44:30");
  });

  it("reads UTC's wall clock (read without a formatter) as the Intl formatter does, around the day's and year's ends", () => {
    const viaIntl = new Intl.DateTimeFormat("en-US", {
      timeZone: "UTC",
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    for (const at of [
      0,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2025, 11, 31, 23, 59, 30),
      Date.UTC(2026, 0, 1),
      1_764_000_123_456,
    ]) {
      const parts = viaIntl.formatToParts(new Date(at));
      const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
      const expected = {
        year: get("year"),
        month: get("month"),
        day: get("day"),
        hour: get("hour"),
        minute: get("minute"),
        second: get("second"),
      };
      expect(wallClock(at, "UTC")).toEqual(expected);
    }
  });
});
