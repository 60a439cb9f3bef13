import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setEventSource } from "./api/watch";
import { FakeEventSource, openFake } from "./api/fakeEventSource";
import type { WatchChange } from "./api/types";
import { I18n, messages } from "./i18n";
import { LiveIndicator, LiveStreams, rolloutChange, workloadChange, type LiveSubscriber } from "./live";

beforeEach(() => {
  vi.useFakeTimers();
  FakeEventSource.opened = [];
  setEventSource(openFake);
});
afterEach(() => {
  vi.useRealTimers();
  setEventSource((url) => new EventSource(url));
});

const change = (over: Partial<WatchChange> = {}): WatchChange => ({ kind: "workload", type: "cloneset", namespace: "demo", name: "shop", action: "MODIFIED", resourceVersion: "7", ...over });

/** A subscriber that records what it was told. */
function recorder() {
  const seen: string[] = [];
  const sub: LiveSubscriber = { change: (e) => seen.push(`change ${e.name}`), refresh: () => seen.push("refresh"), live: (l) => seen.push(`live ${l}`) };
  return { seen, sub };
}

describe("the streams of the namespaces shown", () => {
  it("one stream per namespace, shared; closed a while after its last subscriber leaves", () => {
    const streams = new LiveStreams(2000, 10000);
    const a = streams.subscribe("demo", recorder().sub);
    const b = streams.subscribe("demo", recorder().sub);
    streams.subscribe("_all", recorder().sub);
    expect(FakeEventSource.opened.map((s) => s.url)).toEqual(["/api/v1/watch?namespace=demo", "/api/v1/watch?namespace=_all"]);
    a();
    b();
    vi.advanceTimersByTime(1000);
    // A page of the same namespace takes it over before it closes.
    const c = streams.subscribe("demo", recorder().sub);
    vi.advanceTimersByTime(5000);
    expect(FakeEventSource.opened).toHaveLength(2);
    expect(FakeEventSource.opened[0].readyState).not.toBe(2);
    c();
    vi.advanceTimersByTime(2000);
    expect(FakeEventSource.opened[0].readyState).toBe(2);
    expect(streams.namespaces()).toEqual(["_all"]);
  });

  it("live after ready (everything refreshed); changes passed on; reset refreshes; a lost connection is reconnecting", () => {
    const streams = new LiveStreams();
    const { seen, sub } = recorder();
    streams.subscribe("demo", sub);
    expect(streams.getSnapshot().status).toBe("polling");
    const es = FakeEventSource.latest();
    es.send("ready", { id: 0 });
    expect(streams.getSnapshot().status).toBe("live");
    es.send("change", change({ name: "web" }));
    es.send("reset");
    es.fail(false);
    expect(streams.getSnapshot().status).toBe("reconnecting");
    // EventSource reconnects by itself (Last-Event-ID): the same object sends ready again.
    es.send("ready", { id: 9 });
    expect(seen).toEqual(["live false", "live true", "refresh", "change web", "refresh", "live false", "live true", "refresh"]);
    expect(FakeEventSource.opened).toHaveLength(1);
  });

  it("a subscriber joining a live stream is told it is live and is not refreshed", () => {
    const streams = new LiveStreams();
    streams.subscribe("demo", recorder().sub);
    FakeEventSource.latest().send("ready", { id: 3 });
    const { seen, sub } = recorder();
    streams.subscribe("demo", sub);
    expect(seen).toEqual(["live true"]);
  });

  it("a stream the browser gave up on (not a stream: 401, 403, 404) is polling, and is tried again later", () => {
    const streams = new LiveStreams(2000, 10000);
    const { seen, sub } = recorder();
    streams.subscribe("demo", sub);
    FakeEventSource.latest().send("ready", { id: 1 });
    FakeEventSource.latest().fail(true);
    expect(streams.getSnapshot().status).toBe("polling");
    vi.advanceTimersByTime(9999);
    expect(FakeEventSource.opened).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.opened).toHaveLength(2);
    FakeEventSource.latest().send("ready", { id: 5 });
    expect(streams.getSnapshot().status).toBe("live");
    expect(seen).toEqual(["live false", "live true", "refresh", "live false", "live true", "refresh"]);
  });

  it("the header's status: live only when every stream is; reconnecting when one is", () => {
    const streams = new LiveStreams();
    streams.subscribe("demo", recorder().sub);
    streams.subscribe("_all", recorder().sub);
    const [demo, all] = FakeEventSource.opened;
    demo.send("ready", { id: 1 });
    expect(streams.getSnapshot().status).toBe("polling");
    all.send("ready", { id: 1 });
    expect(streams.getSnapshot().status).toBe("live");
    all.fail(false);
    expect(streams.getSnapshot().status).toBe("reconnecting");
  });

  it("keeps the time of the last update and tells the header", () => {
    const streams = new LiveStreams();
    const listener = vi.fn();
    streams.onStatus(listener);
    const before = streams.getSnapshot();
    streams.updated(1700000000000);
    expect(streams.getSnapshot()).toEqual({ status: "polling", lastUpdate: 1700000000000 });
    expect(streams.getSnapshot()).not.toBe(before);
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe("which changes a page reloads on", () => {
  it.each([
    [workloadChange(), change(), true],
    [workloadChange("cloneset"), change(), true],
    [workloadChange("deployment"), change(), false],
    [workloadChange("cloneset", "shop"), change(), true],
    [workloadChange("cloneset", "web"), change(), false],
    [workloadChange(), change({ kind: "rollout", type: "rollout" }), false],
    [rolloutChange(), change({ kind: "rollout", type: "rollout" }), true],
    [rolloutChange("shop"), change({ kind: "rollout", type: "rollout", name: "web" }), false],
    [rolloutChange(), change(), false],
  ])("%#", (match, e, want) => {
    expect(match(e)).toBe(want);
  });
});

describe("the header's indicator", () => {
  it.each([
    ["en-US", "polling"],
    ["zh-CN", "轮询"],
  ] as const)("%s: says polling without a stream", (locale, text) => {
    const html = renderToString(h(I18n.Provider, { value: messages[locale] }, h(LiveIndicator)));
    expect(html).toContain('data-status="polling"');
    expect(html).toContain(text);
    expect(html).not.toContain('data-testid="last-update"');
  });
  it("every status has its words and help in both languages", () => {
    for (const m of Object.values(messages)) {
      for (const s of ["live", "reconnecting", "polling"] as const) {
        expect(m[`live_${s}`]).toBeTruthy();
        expect(m[`live_${s}_help`]).toBeTruthy();
      }
    }
  });
});
