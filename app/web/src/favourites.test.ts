import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Favourites, type Favourite } from "./favourites";
import { FavouriteStar } from "./components/Favourites";
import { I18n, messages } from "./i18n";

/** A Storage in memory. */
function memory(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

const w = (cluster: string): Favourite => ({ cluster, kind: "workload", type: "clonesets", namespace: "ns", name: "shop" });

describe("favourites", () => {
  it("pins and unpins, keyed with the cluster, kept in the storage", () => {
    const storage = memory();
    const f = new Favourites(() => storage);
    let changes = 0;
    f.subscribe(() => changes++);
    f.toggle(w(""));
    f.toggle(w("prod-eu"));
    expect(f.has(w(""))).toBe(true);
    expect(f.has(w("prod-eu"))).toBe(true);
    expect(f.has(w("other"))).toBe(false);
    f.toggle(w(""));
    expect(f.list()).toEqual([w("prod-eu")]);
    expect(changes).toBe(3);
    // Another page reading the same storage sees them.
    expect(new Favourites(() => storage).list()).toEqual([w("prod-eu")]);
  });

  it("reads nothing from a broken or foreign value", () => {
    const storage = memory();
    storage.setItem("kd.favourites", "{not json");
    expect(new Favourites(() => storage).list()).toEqual([]);
    storage.setItem("kd.favourites", JSON.stringify([{ kind: "pod", name: "x", namespace: "y" }, 3, null, { kind: "rollout", name: "r", namespace: "n" }]));
    expect(new Favourites(() => storage).list()).toEqual([{ cluster: "", kind: "rollout", type: "", namespace: "n", name: "r" }]);
    expect(new Favourites(() => undefined).list()).toEqual([]);
  });

  it("the star says what it does, for screen readers too", () => {
    const html = renderToString(h(I18n.Provider, { value: messages["en-US"] }, h(FavouriteStar, { kind: "rollout", namespace: "ns", name: "r", cluster: "b" })));
    expect(html).toContain('aria-label="Pin r"');
    expect(html).toContain('aria-pressed="false"');
  });
});
