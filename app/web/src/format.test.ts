import { describe, expect, it } from "vitest";
import { toYaml } from "./yaml";
import { containersOf, fieldsOf, kubectl, listFieldsOf, setImageCommand, stateOf, statesOf } from "./workloadSummary";
import type { Workload } from "./api/types";
import { age } from "./components/common";
import { compareValues, matches } from "./components/tables";
import { fmt, messages } from "./i18n";
import stateCases from "../../../biz/testdata/workload_states.json";

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

const w = (kind: string, spec: Record<string, any>, status: Record<string, any>, annotations?: Record<string, string>, generation?: number): Workload => ({
  apiVersion: "v1",
  kind,
  metadata: { name: "x", uid: "u", resourceVersion: "1", creationTimestamp: null, annotations, generation },
  spec,
  status,
});

/** The fields of a workload as {title: value}: what each column would show under its title. */
const shown = (x: Workload) => Object.fromEntries(fieldsOf(x.kind).map((f) => [f.title, f.value(x)]));

describe("every field is shown under a title that says what it is", () => {
  it.each([
    [
      "Deployment",
      w("Deployment", { replicas: 3 }, { readyReplicas: 2, updatedReplicas: 1, availableReplicas: 2 }, { "deployment.kubernetes.io/revision": "4" }),
      { replicas: 3, ready: 2, upToDate: 1, available: 2, revision: "4" },
    ],
    [
      "CloneSet",
      w("CloneSet", { replicas: 5 }, { readyReplicas: 5, updatedReplicas: 5, availableReplicas: 5, updateRevision: "shop-abc", currentRevision: "shop-abc" }),
      { replicas: 5, ready: 5, upToDate: 5, available: 5, updateRevision: "shop-abc", currentRevision: "shop-abc" },
    ],
    [
      "DaemonSet",
      w("DaemonSet", {}, { desiredNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2, daemonSetHash: "h" }),
      { desired: 3, ready: 2, upToDate: 3, available: 2, updateRevision: "h" },
    ],
    [
      "BroadcastJob",
      w("BroadcastJob", {}, { desired: 3, active: 1, succeeded: 2, failed: 0, phase: "running" }),
      { desired: 3, activePods: 1, succeeded: 2, failed: 0, completedAt: null },
    ],
    [
      "AdvancedCronJob",
      w("AdvancedCronJob", { schedule: "*/1 * * * *" }, { active: [{}], type: "Job", lastScheduleTime: "2025-01-01T00:00:00Z" }),
      { schedule: "*/1 * * * *", activeJobs: 1, lastScheduled: "2025-01-01T00:00:00Z", jobKind: "Job" },
    ],
  ])("%s", (_, workload, want) => {
    expect(shown(workload)).toEqual(want);
  });

  it("no list column of a cron job or a broadcast job is titled replicas or revision", () => {
    for (const kind of ["AdvancedCronJob", "BroadcastJob"]) {
      const titles = listFieldsOf(kind).map((f) => f.title);
      expect(titles).not.toContain("replicas");
      expect(titles).not.toContain("revision");
      expect(titles).not.toContain("updateRevision");
    }
    expect(listFieldsOf("AdvancedCronJob").map((f) => f.title)).toEqual(["schedule", "activeJobs", "lastScheduled", "jobKind"]);
  });
});

// The same table as the server's StateOf (biz/workload_view_test.go): the list's states come from
// the server, the detail page's from stateOf, and both must agree.
describe("stateOf reads what the workload is doing", () => {
  it.each(stateCases.map((c) => [c.case, c] as const))("%s", (_, c) => {
    expect(stateOf(w(c.kind, c.spec, c.status, undefined, (c as { generation?: number }).generation))).toBe(c.want);
  });
  it("every state a kind can be in is one its filter offers", () => {
    expect(statesOf("AdvancedCronJob")).toEqual(expect.arrayContaining(["active", "scheduled", "suspended"]));
  });
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

describe("kubectl commands", () => {
  it("scale and delete", () => {
    expect(kubectl("scale", "CloneSet", "cloneset", "demo", "shop", 3)).toBe("kubectl scale cloneset/shop -n demo --replicas=3");
    expect(kubectl("delete", "CloneSet", "cloneset", "demo", "shop")).toBe("kubectl delete cloneset shop -n demo");
    expect(kubectl("restart", "Deployment", "deployment", "demo", "web")).toBe("kubectl rollout restart deployment/web -n demo");
  });
  it("set image: kubectl for a Deployment, kubectl-kruise for a CloneSet", () => {
    expect(setImageCommand("Deployment", "deployment", "demo", "web", { main: "nginx:1.28" })).toBe("kubectl set image deployment/web main=nginx:1.28 -n demo");
    expect(setImageCommand("CloneSet", "cloneset", "demo", "shop", { main: "nginx:1.28", side: "envoy:1" })).toBe("kubectl-kruise set image cloneset/shop main=nginx:1.28 side=envoy:1 -n demo");
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
