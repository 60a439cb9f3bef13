import { describe, expect, it } from "vitest";
import { chooseNamespace, isSystemNamespace } from "./namespaceChoice";

const having = (withWorkloads: string[], asked: string[] = []) => async (ns: string) => {
  asked.push(ns);
  return withWorkloads.includes(ns);
};

describe("the namespace shown without ?ns=", () => {
  it("is the last one used when it still exists", async () => {
    expect(await chooseNamespace("shop", ["default", "shop"], having([]))).toBe("shop");
  });
  it("is the last one used when the namespaces cannot be listed", async () => {
    expect(await chooseNamespace("shop", undefined, having([]))).toBe("shop");
  });
  it("is not a last one that is gone", async () => {
    expect(await chooseNamespace("gone", ["default", "demo"], having(["demo"]))).toBe("demo");
  });
  it("is the first with workloads, not an empty default, and system namespaces come last", async () => {
    const asked: string[] = [];
    expect(await chooseNamespace(null, ["default", "kruise-system", "kube-system", "demo", "prod"], having(["kruise-system", "demo", "prod"], asked), { batch: 2 })).toBe("demo");
    expect(asked).toEqual(["default", "demo"]);
  });
  it("is a system namespace only when nothing else has workloads", async () => {
    expect(await chooseNamespace(null, ["default", "kube-system"], having(["kube-system"]))).toBe("kube-system");
  });
  it("is the first namespace when none has workloads, and default when there are none", async () => {
    expect(await chooseNamespace(null, ["a", "b"], having([]))).toBe("a");
    expect(await chooseNamespace(null, [], having([]))).toBe("default");
    expect(await chooseNamespace(null, undefined, having([]))).toBe("default");
  });
  it("treats a namespace it cannot read as empty", async () => {
    expect(await chooseNamespace(null, ["secret", "demo"], async (ns) => (ns === "secret" ? Promise.reject(new Error("403")) : true))).toBe("demo");
  });
  it("asks at most limit namespaces", async () => {
    const asked: string[] = [];
    const many = Array.from({ length: 50 }, (_, i) => `ns-${i}`);
    expect(await chooseNamespace(null, many, having(["ns-40"], asked), { limit: 8, batch: 4 })).toBe("ns-0");
    expect(asked).toHaveLength(8);
  });
  it("knows the system namespaces", () => {
    expect(["kube-system", "kube-public", "kruise-system", "local-path-storage"].every(isSystemNamespace)).toBe(true);
    expect(isSystemNamespace("shop")).toBe(false);
  });
});
