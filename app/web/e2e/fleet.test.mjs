// The fleet's pages in headless Chromium, against a dashboard serving more than one cluster. Run by
// a Go test (to be written with the fleet's e2e) with:
//   DASHBOARD_URL             the dashboard;
//   FLEET_CLUSTERS            the registered clusters' names, comma-separated, the home first;
//   FLEET_WAITING             the clusters with a release waiting for a person (the inbox must show
//                             a row of each), comma-separated (optional);
//   UI_TOKEN, UI_USER         the token to sign in with and the name the header then shows
//                             (optional: without them the dashboard must need no sign-in);
//   SCREENSHOT_DIR            where fleet-{switcher,overview,inbox}-{en,zh}.png go.
// Each page is checked with axe-core in both languages and the zh scan.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "./browser.mjs";
import { checkA11y } from "./axe.mjs";
import { checkChinese } from "./language.mjs";

const env = process.env;
const base = env.DASHBOARD_URL;
const names = (env.FLEET_CLUSTERS ?? "").split(",").filter(Boolean);
const waiting = (env.FLEET_WAITING ?? "").split(",").filter(Boolean);
const shots = env.SCREENSHOT_DIR ?? "e2e-artifacts";
let browser;
let page;

before(async () => {
  assert.ok(base && names.length > 1, "DASHBOARD_URL and FLEET_CLUSTERS (at least two names) must be set");
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
  await page.goto(`${base}/fleet`);
  if (env.UI_TOKEN) {
    await page.getByTestId("sign-in-page").waitFor();
    await page.getByTestId("token-input").fill(env.UI_TOKEN);
    await page.getByTestId("sign-in").click();
    await page.getByTestId("current-user").filter({ hasText: env.UI_USER ?? "" }).waitFor();
  }
});

after(async () => {
  await browser?.close();
});

/** Sets the language, then opens path. */
async function open(locale, path) {
  await page.evaluate((l) => localStorage.setItem("kd.locale", l), locale);
  await page.goto(`${base}${path}`);
}

for (const [lang, locale] of [
  ["en", "en-US"],
  ["zh", "zh-CN"],
]) {
  test(`the cluster switcher lists every cluster and keeps the page's kind (${lang})`, async () => {
    await open(locale, "/rollouts");
    const select = page.getByTestId("cluster-select");
    await select.waitFor();
    // The home cluster is the page's without /c/.
    assert.equal(await page.locator('[data-testid="cluster-select"] [data-testid="cluster-name"]').first().textContent().then((s) => s?.includes(names[0])), true, "the header names the home cluster");
    // Checked closed: antd's open list (a virtual listbox) has ARIA of its own that axe refuses.
    await checkA11y(page, `cluster switcher (${lang})`, { settleMs: 500 });
    if (lang === "zh") await checkChinese(page, "cluster switcher (zh)");
    await select.click();
    for (const name of names) await page.locator(`[data-testid="cluster-option"][data-cluster="${name}"]`).waitFor();
    await page.screenshot({ path: join(shots, `fleet-switcher-${lang}.png`) });
    await page.locator(`[data-testid="cluster-option"][data-cluster="${names[1]}"]`).click();
    await page.waitForURL((u) => u.pathname === `/c/${encodeURIComponent(names[1])}/rollouts`);
    await page.locator('[data-testid="cluster-select"] [data-testid="cluster-name"]').filter({ hasText: names[1] }).waitFor();
  });

  test(`the fleet overview has a card per cluster (${lang})`, async () => {
    await open(locale, "/fleet");
    await page.getByTestId("fleet-cards").waitFor();
    for (const name of names) await page.locator(`[data-testid="fleet-card"][data-cluster="${name}"]`).waitFor();
    assert.equal(await page.getByTestId("fleet-card").count(), names.length);
    await checkA11y(page, `fleet overview (${lang})`, { settleMs: 500 });
    if (lang === "zh") await checkChinese(page, "fleet overview (zh)");
    await page.screenshot({ path: join(shots, `fleet-overview-${lang}.png`), fullPage: true });
  });

  test(`the inbox shows the releases waiting across clusters, with their cluster (${lang})`, async () => {
    await open(locale, "/inbox");
    await page.getByTestId("inbox-table").waitFor();
    for (const name of waiting) await page.getByTestId("inbox-cluster").filter({ hasText: name }).first().waitFor({ timeout: 30000 });
    await checkA11y(page, `inbox across clusters (${lang})`, { settleMs: 500 });
    if (lang === "zh") await checkChinese(page, "inbox across clusters (zh)");
    await page.screenshot({ path: join(shots, `fleet-inbox-${lang}.png`), fullPage: true });
  });
}
