import { describe, expect, it } from "vitest";
import { isTyping, SEQUENCE_MS, ShortcutKeys, shortcutsOn } from "./shortcuts";

const el = (tagName: string, over: Record<string, unknown> = {}) => ({ tagName, isContentEditable: false, getAttribute: () => null, ...over });
const body = el("BODY");

describe("keyboard shortcuts", () => {
  it("/ search, g i inbox, g o fleet overview, ? the list", () => {
    const k = new ShortcutKeys();
    expect(k.handle({ key: "/", target: body }, 0)).toBe("search");
    expect(k.handle({ key: "?", target: body }, 0)).toBe("help");
    expect(k.handle({ key: "g", target: body }, 10)).toBeUndefined();
    expect(k.handle({ key: "i", target: body }, 20)).toBe("inbox");
    expect(k.handle({ key: "g", target: body }, 30)).toBeUndefined();
    expect(k.handle({ key: "o", target: body }, 40)).toBe("fleet");
  });

  it("i and o alone, or too long after g, or after another key, do nothing", () => {
    const k = new ShortcutKeys();
    expect(k.handle({ key: "i", target: body }, 0)).toBeUndefined();
    expect(k.handle({ key: "o", target: body }, 0)).toBeUndefined();
    k.handle({ key: "g", target: body }, 0);
    expect(k.handle({ key: "i", target: body }, SEQUENCE_MS + 1)).toBeUndefined();
    k.handle({ key: "g", target: body }, 0);
    expect(k.handle({ key: "x", target: body }, 1)).toBeUndefined();
    expect(k.handle({ key: "i", target: body }, 2)).toBeUndefined();
  });

  it("never while typing in a field, nor with Ctrl, Alt or Meta", () => {
    const k = new ShortcutKeys();
    for (const target of [el("INPUT"), el("textarea"), el("SELECT"), el("DIV", { isContentEditable: true }), el("DIV", { getAttribute: (n: string) => (n === "role" ? "combobox" : null) })]) {
      expect(isTyping(target)).toBe(true);
      expect(k.handle({ key: "/", target }, 0)).toBeUndefined();
      expect(k.handle({ key: "?", target }, 0)).toBeUndefined();
    }
    expect(k.handle({ key: "/", target: body, ctrlKey: true }, 0)).toBeUndefined();
    expect(k.handle({ key: "?", target: body, metaKey: true }, 0)).toBeUndefined();
    k.handle({ key: "g", target: body }, 0);
    expect(k.handle({ key: "i", target: el("INPUT") }, 1)).toBeUndefined();
    k.handle({ key: "g", target: body }, 0);
    expect(k.handle({ key: "o", target: body, altKey: true }, 1)).toBeUndefined();
    expect(isTyping(body)).toBe(false);
    expect(isTyping(null)).toBe(false);
  });

  it("are on unless turned off in the storage", () => {
    expect(shortcutsOn({ getItem: () => null })).toBe(true);
    expect(shortcutsOn({ getItem: () => "1" })).toBe(true);
    expect(shortcutsOn({ getItem: () => "0" })).toBe(false);
    expect(shortcutsOn(undefined)).toBe(true);
  });
});
