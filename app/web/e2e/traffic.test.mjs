// The traffic panel of the Rollout page in headless Chromium. Run by test/e2e's
// TestTrafficIngressWeights while its Rollout UI_ROLLOUT (namespace UI_NAMESPACE) waits at step 2,
// where the real controller has written canary-weight 50 and the header x-canary: beta into the
// canary Ingress; step 1 planned 20%. Checked in English and Chinese with axe-core and the zh
// scan; screenshots rollout-traffic-{en,zh}.png in SCREENSHOT_DIR.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "./browser.mjs";
import { checkA11y } from "./axe.mjs";
import { checkChinese } from "./language.mjs";

const base = process.env.DASHBOARD_URL;
const ns = process.env.UI_NAMESPACE;
const rollout = process.env.UI_ROLLOUT;
const shots = process.env.SCREENSHOT_DIR ?? "e2e-artifacts";
let browser;
let page;

before(async () => {
  assert.ok(base && ns && rollout, "DASHBOARD_URL, UI_NAMESPACE and UI_ROLLOUT must be set");
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
});

after(async () => {
  await browser?.close();
});

for (const [lang, locale, compare, inherited] of [
  ["en", "en-US", "as planned for step 2", "unchanged (50%)"],
  ["zh", "zh-CN", "与第 2 步的计划一致", "不变（50%）"],
]) {
  test(`the Rollout page shows the weights the controller wrote (${lang})`, async () => {
    await page.goto(`${base}/?ns=${ns}`);
    await page.evaluate((l) => localStorage.setItem("kd.locale", l), locale);
    await page.goto(`${base}/rollouts/${rollout}?ns=${ns}`);
    const panel = page.getByTestId("traffic-panel");
    await panel.getByTestId("traffic-written").waitFor();
    assert.equal((await panel.getByTestId("traffic-written-weight").textContent()).trim(), "50%");
    assert.equal((await panel.getByTestId("traffic-written-matches").textContent()).trim(), "x-canary: beta");
    assert.equal((await panel.getByTestId("traffic-compare").textContent()).trim(), compare);
    assert.equal((await panel.getByTestId("traffic-plan-weight-1").textContent()).trim(), "20%");
    assert.equal((await panel.getByTestId("traffic-plan-weight-3").textContent()).trim(), inherited);
    await checkA11y(page, `traffic panel (${lang})`, { settleMs: 500 });
    if (lang === "zh") await checkChinese(page, "traffic panel (zh)");
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, `rollout-traffic-${lang}.png`), fullPage: true });
  });
}
