import { describe, expect, it } from "vitest";
import { toYaml } from "./yaml";
import { containersOf } from "./workloadSummary";
import type { Workload } from "./api/types";
import { age } from "./components/common";
import { compareValues, matches } from "./components/tables";
import { fmt, messages } from "./i18n";

describe("toYaml", () => {
  it.each([
    [{ a: 1, b: "x" }, "a: 1\nb: x"],
    [{ spec: { replicas: 3, paused: false } }, "spec:\n  replicas: 3\n  paused: false"],
    [{ list: [{ name: "main", image: "nginx:1.27" }] }, "list:\n  - name: main\n    image: nginx:1.27"],
    [{ empty: [], none: {}, nil: null }, "empty: []\nnone: {}\nnil: null"],
    [{ s: "true", n: "10", sp: "a b", colon: "k: v" }, 's: "true"\nn: "10"\nsp: a b\ncolon: "k: v"'],
  ])("%j", (value, want) => {
    expect(toYaml(value)).toBe(want);
  });
});

const w = (kind: string, spec: Record<string, unknown>, status: Record<string, unknown>): Workload => ({
  apiVersion: "v1",
  kind,
  metadata: { name: "x", uid: "u", resourceVersion: "1", creationTimestamp: null },
  spec,
  status,
});

describe("containersOf finds the pod template wherever the kind keeps it", () => {
  const c = [{ name: "main", image: "nginx:1.27" }];
  it.each([
    ["CloneSet", { template: { spec: { containers: c } } }],
    ["BroadcastJob", { template: { spec: { containers: c } } }],
    ["AdvancedCronJob", { template: { jobTemplate: { spec: { template: { spec: { containers: c } } } } } }],
    ["AdvancedCronJob", { template: { broadcastJobTemplate: { spec: { template: { spec: { containers: c } } } } } }],
  ])("%s", (kind, spec) => {
    expect(containersOf(w(kind, spec, {}))).toEqual(c);
  });
});

describe("ages as people read them", () => {
  const now = Date.parse("2025-06-01T12:00:00Z");
  const ago = (s: number) => new Date(now - s * 1000).toISOString();
  it.each([
    [5, "5s"],
    [59, "59s"],
    [60, "1m"],
    [3 * 60 + 30, "3m"],
    [59 * 60, "59m"],
    [2 * 3600, "2h"],
    [23 * 3600, "23h"],
    [5 * 86400, "5d"],
    [400 * 86400, "1y"],
  ])("%i seconds ago is %s", (s, want) => {
    expect(age(ago(s), now)).toBe(want);
  });
  it("nothing, a bad time and the future", () => {
    expect(age(undefined, now)).toBe("-");
    expect(age("not a time", now)).toBe("-");
    expect(age(new Date(now + 5000).toISOString(), now)).toBe("0s");
  });
});

describe("fmt fills placeholders", () => {
  it("fills known ones and keeps unknown ones", () => {
    expect(fmt("{x} of {n}, {ready} ready", { x: 1, n: 2, ready: 1 })).toBe("1 of 2, 1 ready");
    expect(fmt("step {step} {other}", { step: 3 })).toBe("step 3 {other}");
  });
  it("every message has the same placeholders in both languages", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(messages["en-US"]) as (keyof typeof messages["en-US"])[]) {
      expect(names(messages["zh-CN"][key]), key).toEqual(names(messages["en-US"][key]));
    }
  });
});

describe("tables", () => {
  it("compareValues: numbers, natural strings, empty last", () => {
    expect(["web-10", "web-2", "-", "api"].sort(compareValues)).toEqual(["api", "web-2", "web-10", "-"]);
    expect([3, 10, 1].sort(compareValues)).toEqual([1, 3, 10]);
  });
  it("matches every word, case-insensitively", () => {
    expect(matches("Shop", "shop-canary")).toBe(true);
    expect(matches("shop demo", "shop", "demo")).toBe(true);
    expect(matches("shop prod", "shop", "demo")).toBe(false);
    expect(matches("", "x")).toBe(true);
  });
});
