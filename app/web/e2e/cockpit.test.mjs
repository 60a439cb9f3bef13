// The Rollout page at one stage of a release, in headless Chromium, signed in with a token. Run by
// test/e2e's TestEvidenceFromSimulatedTraffic against its dashboard (the live cluster's Prometheus,
// the simulated traffic, the reason policy on) with:
//   DASHBOARD_URL, UI_NAMESPACE, UI_ROLLOUT, UI_TOKEN, UI_USER  where and as whom;
//   UI_STAGE      the screenshots' name: rollout-<stage>-{en,zh}.png in SCREENSHOT_DIR;
//   UI_VERDICT    the evidence verdict the page must show (empty: no evidence panel, no release);
//   UI_APPROVER   a name the release timeline must show as an approver (optional);
//   UI_OUTSIDE    "true": the timeline must show an approval made outside the dashboard.
// Each stage is checked with axe-core in both languages and the zh scan.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "./browser.mjs";
import { checkA11y } from "./axe.mjs";
import { checkChinese } from "./language.mjs";

const env = process.env;
const [base, ns, rollout, stage] = [env.DASHBOARD_URL, env.UI_NAMESPACE, env.UI_ROLLOUT, env.UI_STAGE];
const shots = env.SCREENSHOT_DIR ?? "e2e-artifacts";
let browser;
let page;

before(async () => {
  assert.ok(base && ns && rollout && stage && env.UI_TOKEN && env.UI_USER, "DASHBOARD_URL, UI_NAMESPACE, UI_ROLLOUT, UI_STAGE, UI_TOKEN and UI_USER must be set");
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
  await page.goto(`${base}/rollouts/${rollout}?ns=${ns}`);
  await page.getByTestId("sign-in-page").waitFor();
  await page.getByTestId("token-input").fill(env.UI_TOKEN);
  await page.getByTestId("sign-in").click();
  await page.getByTestId("current-user").filter({ hasText: env.UI_USER }).waitFor();
});

after(async () => {
  await browser?.close();
});

for (const [lang, locale] of [
  ["en", "en-US"],
  ["zh", "zh-CN"],
]) {
  test(`the Rollout page, ${stage} (${lang})`, async () => {
    await page.evaluate((l) => localStorage.setItem("kd.locale", l), locale);
    await page.goto(`${base}/rollouts/${rollout}?ns=${ns}`);
    await page.getByTestId("release-timeline").waitFor();
    if (env.UI_VERDICT) {
      const verdict = page.getByTestId("evidence-verdict");
      await page.locator(`[data-testid="evidence-verdict"][data-verdict="${env.UI_VERDICT}"]`).waitFor({ timeout: 30000 });
      assert.equal(await verdict.getAttribute("data-stale"), "false");
      await page.getByTestId("evidence-simulated").waitFor();
      const tone = await verdict.getAttribute("data-tone");
      assert.ok(env.UI_VERDICT === "notWorse" ? tone === "success" : tone !== "success", `verdict ${env.UI_VERDICT} shown ${tone}`);
    } else {
      assert.equal(await page.getByTestId("evidence-panel").count(), 0, "evidence shown with no release in progress");
    }
    if (env.UI_APPROVER) {
      await page.locator(`[data-testid="timeline-approval"][data-by="${env.UI_APPROVER}"]`).first().waitFor();
    }
    if (env.UI_OUTSIDE === "true") {
      await page.locator(`[data-testid="timeline-approval"][data-outside="true"]`).first().waitFor();
    }
    await page.getByTestId("pod-grid").or(page.getByTestId("timeline-end")).first().waitFor();
    await checkA11y(page, `Rollout page ${stage} (${lang})`, { settleMs: 500 });
    if (lang === "zh") await checkChinese(page, `Rollout page ${stage} (zh)`);
    await page.screenshot({ path: join(shots, `rollout-${stage}-${lang}.png`), fullPage: true });
  });
}
