import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setEventSource, watch } from "./watch";
import { FakeEventSource, openFake } from "./fakeEventSource";
import type { WatchChange } from "./types";

beforeEach(() => {
  FakeEventSource.opened = [];
  setEventSource(openFake);
});
afterEach(() => setEventSource((url) => new EventSource(url)));

const change: WatchChange = { kind: "workload", type: "cloneset", namespace: "demo", name: "shop", action: "MODIFIED", resourceVersion: "123" };

describe("the live stream", () => {
  it("opens GET /api/v1/watch with the namespace (and the type and name when given)", () => {
    watch({ namespace: "demo" }, {});
    watch({ namespace: "_all", type: "rollout", name: "shop" }, {});
    watch({ namespace: "a b", type: "" }, {});
    expect(FakeEventSource.opened.map((s) => s.url)).toEqual(["/api/v1/watch?namespace=demo", "/api/v1/watch?namespace=_all&type=rollout&name=shop", "/api/v1/watch?namespace=a+b"]);
  });

  it("hands over ready with its id, each change, and reset", () => {
    const seen: unknown[] = [];
    watch({ namespace: "demo" }, { ready: (id) => seen.push(["ready", id]), change: (e) => seen.push(["change", e]), reset: () => seen.push(["reset"]) });
    const es = FakeEventSource.latest();
    es.send("ready", { id: 41 });
    es.send("change", change);
    es.send("reset", {});
    expect(seen).toEqual([["ready", 41], ["change", change], ["reset"]]);
  });

  it("skips a change whose data is not JSON", () => {
    const seen: unknown[] = [];
    watch({ namespace: "demo" }, { change: (e) => seen.push(e) });
    FakeEventSource.latest().send("change", "not json");
    FakeEventSource.latest().send("change", change);
    expect(seen).toEqual([change]);
  });

  it("says whether the browser reconnects by itself or gave up", () => {
    const seen: boolean[] = [];
    watch({ namespace: "demo" }, { error: (closed) => seen.push(closed) });
    FakeEventSource.latest().fail(false);
    FakeEventSource.latest().fail(true);
    expect(seen).toEqual([false, true]);
  });

  it("closes the EventSource", () => {
    const close = watch({ namespace: "demo" }, {});
    close();
    expect(FakeEventSource.latest().readyState).toBe(2);
  });

  it("reopens a stream that went silent for three heartbeats, from the last id seen", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "Date", "performance"] });
    try {
      const errors: boolean[] = [];
      const close = watch({ namespace: "demo" }, { error: (closed) => errors.push(closed) });
      const first = FakeEventSource.latest();
      first.send("ready", { id: 41, heartbeatMs: 1000 }, "41");
      vi.advanceTimersByTime(2500);
      first.send("heartbeat", {});
      vi.advanceTimersByTime(2500);
      expect(FakeEventSource.opened).toHaveLength(1); // heartbeats keep it
      first.send("change", change, "42");
      vi.advanceTimersByTime(4000);
      expect(first.readyState).toBe(2);
      expect(errors).toEqual([false]);
      expect(FakeEventSource.latest().url).toBe("/api/v1/watch?namespace=demo&lastEventId=42");
      close();
      expect(FakeEventSource.latest().readyState).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a jump of the wall clock is not silence", () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "Date", "performance"] });
    try {
      const close = watch({ namespace: "demo" }, {});
      FakeEventSource.latest().send("ready", { id: 1, heartbeatMs: 1000 }, "1");
      vi.setSystemTime(Date.now() + 2 * 3600_000);
      vi.advanceTimersByTime(1000);
      expect(FakeEventSource.opened).toHaveLength(1);
      close();
    } finally {
      vi.useRealTimers();
    }
  });
});
