import { describe, expect, it } from "vitest";
import { EVIDENCE_STALE_MS, isStale, latencyText, rateText, ratioText, countText, verdictView } from "./evidence";
import { messages } from "./i18n";

const en = messages["en-US"];
const zh = messages["zh-CN"];

describe("the evidence's verdict", () => {
  it.each([
    ["notWorse", "success", "✓"],
    ["worse", "error", "✗"],
    ["notEnoughData", "warning", "?"],
    ["unavailable", "default", "–"],
  ] as const)("%s is shown %s with %s, named in both languages", (verdict, tone, symbol) => {
    for (const t of [en, zh]) {
      const v = verdictView(t, verdict);
      expect(v.tone).toBe(tone);
      expect(v.symbol).toBe(symbol);
      expect(v.text).toBeTruthy();
    }
  });
  it("is green only for notWorse, and never when stale or unknown", () => {
    for (const verdict of ["worse", "notEnoughData", "unavailable", "somethingNew", ""]) expect(verdictView(en, verdict).tone).not.toBe("success");
    for (const verdict of ["notWorse", "worse", "notEnoughData", "unavailable"]) expect(verdictView(en, verdict, true).tone).toBe("default");
    expect(verdictView(en, "somethingNew").text).toBeUndefined();
  });
  it("is stale once older than the limit, or without a time", () => {
    const at = "2026-01-01T00:00:00Z";
    const t0 = new Date(at).getTime();
    expect(isStale(at, t0 + 1000)).toBe(false);
    expect(isStale(at, t0 + EVIDENCE_STALE_MS)).toBe(false);
    expect(isStale(at, t0 + EVIDENCE_STALE_MS + 1)).toBe(true);
    expect(isStale("not a time", t0)).toBe(true);
  });
});

describe("the evidence's numbers", () => {
  it("say missing values as a dash, never 0", () => {
    for (const f of [rateText, countText, ratioText, latencyText]) {
      expect(f(en, null)).toBe("—");
      expect(f(en, undefined)).toBe("—");
    }
    expect(rateText(en, 0)).toBe("0 req/s");
  });
  it("carry their units in the page's language", () => {
    expect(rateText(en, 12.345)).toBe("12.35 req/s");
    expect(rateText(zh, 12.345)).toBe("12.35 次/秒");
    expect(countText(en, 1234.4)).toBe("1,234");
    expect(ratioText(en, 0.01234)).toBe("1.23%");
    expect(latencyText(en, 0.0425)).toBe("42.5 ms");
    expect(latencyText(zh, 0.0425)).toBe("42.5 毫秒");
    expect(latencyText(en, 1.5)).toBe("1.5 s");
    expect(latencyText(zh, 2)).toBe("2 秒");
  });
});
