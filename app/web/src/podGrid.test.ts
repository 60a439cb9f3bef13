import { describe, expect, it } from "vitest";
import { podGrid, roleOf, stateOf, type ReleasePod } from "./podGrid";

const pod = (name: string, role: string, state: ReleasePod["state"], batch?: string): ReleasePod => ({
  name,
  role,
  state,
  ready: state === "ready",
  revision: role === "canary" ? "shop-new" : "shop-old",
  batch,
});

describe("the pod grid", () => {
  it("puts canary and stable side by side, the canary grouped by batch, and other revisions apart", () => {
    const grid = podGrid([
      pod("shop-c", "canary", "notReady", "2"),
      pod("shop-a", "canary", "ready", "10"),
      pod("shop-b", "canary", "ready", "2"),
      pod("shop-z", "canary", "ready"),
      pod("shop-s2", "stable", "terminating", "3"),
      pod("shop-s1", "stable", "ready"),
      pod("shop-x", "", "notReady"),
    ]);
    expect(grid.map((c) => c.role)).toEqual(["canary", "stable", "other"]);
    const [canary, stable, other] = grid;
    // Batches by number (2 before 10), pods without the label last; pods by name.
    expect(canary.batches.map((b) => [b.batch, b.pods.map((p) => p.name)])).toEqual([
      ["2", ["shop-b", "shop-c"]],
      ["10", ["shop-a"]],
      ["", ["shop-z"]],
    ]);
    expect(canary.counts).toEqual({ ready: 3, notReady: 1, terminating: 0 });
    expect(canary.total).toBe(4);
    // The stable pods' batch label is the earlier release's: not grouped by it.
    expect(stable.batches).toEqual([{ batch: "", pods: [pod("shop-s1", "stable", "ready"), pod("shop-s2", "stable", "terminating", "3")] }]);
    expect(stable.counts).toEqual({ ready: 1, notReady: 0, terminating: 1 });
    expect(other.total).toBe(1);
  });

  it("always has the canary and stable sides, other revisions only when there are some", () => {
    expect(podGrid([]).map((c) => [c.role, c.total, c.batches.length])).toEqual([
      ["canary", 0, 0],
      ["stable", 0, 0],
    ]);
  });

  it("reads an older server's pods (no state) from ready; an unknown role is another revision", () => {
    expect(stateOf({ ready: true })).toBe("ready");
    expect(stateOf({ ready: false })).toBe("notReady");
    expect(stateOf({ ready: true, state: "terminating" })).toBe("terminating");
    expect(roleOf({ role: "something" })).toBe("other");
  });
});
