/** The time of day routing rules read (billing.timezone): UTC without a formatter, other zones with one. */
import { describe, expect, it } from "vitest";
import { RoutingDeps } from "../../src/pipeline/route-rules.js";

describe("RoutingDeps.minuteOfDay", () => {
  it("reads UTC's minute of the day, at midnight, just before it and mid-day", () => {
    const utc = new RoutingDeps([], "UTC");
    expect(utc.minuteOfDay(Date.UTC(2024, 2, 3, 0, 0, 0))).toBe(0);
    expect(utc.minuteOfDay(Date.UTC(2024, 2, 3, 23, 59, 59, 999))).toBe(23 * 60 + 59);
    expect(utc.minuteOfDay(Date.UTC(2024, 2, 3, 13, 7, 30))).toBe(13 * 60 + 7);
  });

  it("reads another zone's, offsets off the hour and daylight saving time included", () => {
    expect(new RoutingDeps([], "Asia/Kolkata").minuteOfDay(Date.UTC(2024, 6, 15, 20, 0))).toBe(1 * 60 + 30);
    expect(new RoutingDeps([], "America/New_York").minuteOfDay(Date.UTC(2024, 0, 15, 3, 10))).toBe(22 * 60 + 10);
    expect(new RoutingDeps([], "America/New_York").minuteOfDay(Date.UTC(2024, 6, 15, 3, 10))).toBe(23 * 60 + 10);
  });
});
