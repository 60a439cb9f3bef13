import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Clock } from "./clock";
import { age } from "./components/common";
import { messages } from "./i18n";

// The one clock every relative time reads (the browser test TestUI moves the page's clock and sees
// the ages follow without a request).

describe("the app's clock", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("ticks once a second for all its listeners with one interval, and stops with the last", () => {
    let time = 1_000_000;
    const c = new Clock(() => time, 1000);
    const seen: number[][] = [[], []];
    const offs = seen.map((s) => c.subscribe(() => s.push(c.now())));
    expect(c.running).toBe(true);
    expect(vi.getTimerCount()).toBe(1);
    time += 7000;
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([[1_007_000], [1_007_000]]);
    offs[0]();
    time += 1000;
    vi.advanceTimersByTime(1000);
    expect(seen[0]).toHaveLength(1);
    expect(seen[1]).toEqual([1_007_000, 1_008_000]);
    offs[1]();
    expect(c.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an age read from it moves on as the clock does", () => {
    let time = Date.parse("2025-01-01T00:00:10Z");
    const c = new Clock(() => time, 1000);
    const off = c.subscribe(() => undefined);
    const since = "2025-01-01T00:00:08Z";
    expect(age(since, c.now())).toBe("2s");
    time += 6000;
    vi.advanceTimersByTime(1000);
    expect(age(since, c.now())).toBe("8s");
    time += 120_000;
    vi.advanceTimersByTime(1000);
    expect(age(since, c.now(), messages["zh-CN"])).toBe("2 分钟");
    off();
  });

  it("is read afresh while nothing listens", () => {
    let time = 5;
    const c = new Clock(() => time, 1000);
    expect(c.now()).toBe(5);
    time = 9;
    expect(c.now()).toBe(9);
  });
});
