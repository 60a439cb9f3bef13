import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ApiValue, valueText } from "./components/values";
import { rawFmt } from "./components/raw";
import { I18n, messages } from "./i18n";

// The API's values named in the page's language, and names marked as names (translate="no", which
// the browser tests' zh-CN scan skips).

const zh = messages["zh-CN"];
const inZh = (el: React.ReactElement) => renderToString(h(I18n.Provider, { value: zh }, el));

describe("API values in the page's language", () => {
  it.each([
    ["rolloutPhase", "Healthy", "健康"],
    ["rolloutPhase", "Progressing", "发布中"],
    ["stepState", "StepPaused", "在本步等待"],
    ["stepState", "Completed", "已完成"],
    ["strategy", "partition", "分批（原地分区）"],
    ["podPhase", "Running", "运行中"],
    ["eventType", "Warning", "警告"],
    ["usageSource", "unavailable", "不可用"],
  ] as const)("%s %s is %s", (kind, value, want) => {
    expect(valueText(zh, kind, value)).toBe(want);
    expect(valueText(messages["en-US"], kind, value)).toBeTruthy();
    expect(inZh(h(ApiValue, { kind, value }))).toBe(`<span data-value="${value}">${want}</span>`);
  });
  it("a value the UI has no name for is shown as the API wrote it, marked", () => {
    expect(valueText(zh, "stepState", "StepSomethingNew")).toBeUndefined();
    expect(inZh(h(ApiValue, { kind: "stepState", value: "StepSomethingNew" }))).toBe('<span translate="no">StepSomethingNew</span>');
    expect(valueText(zh, "rolloutPhase", "locale")).toBeUndefined(); // not any message key
    expect(inZh(h(ApiValue, { kind: "rolloutPhase", value: "" }))).toBe("<span>-</span>");
  });
});

describe("names in messages", () => {
  it("are marked, the words are not", () => {
    expect(renderToString(h("p", null, rawFmt(zh.noRelease, { name: "shop" })))).toBe('<p>Rollout <span translate="no">shop</span> 管理此工作负载，但此更改不会开始发布。</p>');
    expect(renderToString(h("p", null, rawFmt("{a} and {missing}", { a: "x" })))).toBe('<p><span translate="no">x</span> and <!-- -->{missing}</p>');
  });
});
