// The fleet's pages in headless Chromium, against a dashboard serving more than one cluster. Run by
// test/e2e/fleet_test.go (TestFleetApproveInOneCluster) with:
//   DASHBOARD_URL             the dashboard;
//   FLEET_CLUSTERS            the registered clusters' names, comma-separated, the home first;
//   FLEET_WAITING             the clusters with a release waiting for a person (the inbox must show
//                             a row of each; the first one's opens the Approve dialog),
//                             comma-separated (optional);
//   FLEET_FAVOURITE           a workload pinned before the pages are opened, as
//                             cluster/type/namespace/name (optional; the overview then lists it);
//   UI_TOKEN, UI_USER         the token to sign in with and the name the header then shows
//                             (optional: without them the dashboard must need no sign-in);
//   SCREENSHOT_DIR            where fleet-<what>-<en|zh>-<light|dark>.png go.
// Each page and dialog (the cluster switcher, the fleet overview, the inbox across clusters and
// its Approve dialog, needs attention, the keyboard shortcuts' dialog) is checked with axe-core in
// both languages and both themes, and with the zh scan (e2e/language.mjs) in Chinese.
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
const [favCluster, favType, favNamespace, favName] = (env.FLEET_FAVOURITE ?? "").split("/");
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
  // Pinned as the star does (kd.favourites), so the fleet overview's favourites card is checked too.
  if (favName)
    await page.evaluate((f) => localStorage.setItem("kd.favourites", JSON.stringify([f])), { cluster: favCluster, kind: "workload", type: favType, namespace: favNamespace, name: favName });
});

after(async () => {
  await browser?.close();
});

/** Sets the language and the theme, then opens path. */
async function open(locale, theme, path) {
  await page.evaluate(([l, dark]) => {
    localStorage.setItem("kd.locale", l);
    localStorage.setItem("kd.dark", dark ? "1" : "0");
  }, [locale, theme === "dark"]);
  await page.goto(`${base}${path}`);
}

/** A page's (or, with context, an open dialog's) checks: axe-core, and in Chinese the Latin-script scan. */
async function check(lang, name, context) {
  await checkA11y(page, name, context ? { context, settleMs: 400 } : { settleMs: 500 });
  if (lang === "zh") await checkChinese(page, name);
}

for (const [lang, locale] of [
  ["en", "en-US"],
  ["zh", "zh-CN"],
]) {
  for (const theme of ["light", "dark"]) {
    const as = `${lang}, ${theme}`;
    const shot = (what, fullPage = true) => page.screenshot({ path: join(shots, `fleet-${what}-${lang}-${theme}.png`), fullPage });

    test(`the cluster switcher lists every cluster and keeps the page's kind (${as})`, async () => {
      await open(locale, theme, "/rollouts");
      const select = page.getByTestId("cluster-select");
      await select.waitFor();
      // The home cluster is the page's without /c/.
      assert.equal(await page.locator('[data-testid="cluster-select"] [data-testid="cluster-name"]').first().textContent().then((s) => s?.includes(names[0])), true, "the header names the home cluster");
      // Checked closed: antd's open list (a virtual listbox) has ARIA of its own that axe refuses.
      await check(lang, `cluster switcher (${as})`);
      await select.click();
      for (const name of names) await page.locator(`[data-testid="cluster-option"][data-cluster="${name}"]`).waitFor();
      await shot("switcher", false);
      await page.locator(`[data-testid="cluster-option"][data-cluster="${names[1]}"]`).click();
      await page.waitForURL((u) => u.pathname === `/c/${encodeURIComponent(names[1])}/rollouts`);
      await page.locator('[data-testid="cluster-select"] [data-testid="cluster-name"]').filter({ hasText: names[1] }).waitFor();
    });

    test(`the fleet overview has a card per cluster, and the favourites (${as})`, async () => {
      await open(locale, theme, "/fleet");
      await page.getByTestId("fleet-cards").waitFor();
      for (const name of names) await page.locator(`[data-testid="fleet-card"][data-cluster="${name}"]`).waitFor();
      assert.equal(await page.getByTestId("fleet-card").count(), names.length);
      if (favName) {
        // The favourite names its type as GET /workload-types titles it in the page's language.
        const fav = page.getByTestId("favourite").filter({ hasText: `${favNamespace}/${favName}` });
        await fav.waitFor();
        const types = await page.evaluate(() => fetch("/api/v1/workload-types", { headers: { Accept: "application/json" } }).then((r) => r.json()));
        const ty = types.data.find((x) => x.type === favType);
        assert.ok(ty, `${favType} is not served`);
        const title = ty.titles?.[locale] || ty.title;
        const said = (await fav.locator(".ant-typography").first().textContent()) ?? "";
        assert.ok(said.startsWith(title), `the favourite says "${said}", want its type's title "${title}" first`);
      }
      await check(lang, `fleet overview (${as})`);
      await shot("overview");
    });

    test(`the inbox shows the releases waiting across clusters, with their cluster (${as})`, async () => {
      await open(locale, theme, "/inbox");
      await page.getByTestId("inbox-table").waitFor();
      for (const name of waiting) await page.getByTestId("inbox-cluster").filter({ hasText: name }).first().waitFor({ timeout: 30000 });
      await check(lang, `inbox across clusters (${as})`);
      await shot("inbox");
    });

    test(`the inbox's Approve dialog says what each step does, and Cancel approves nothing (${as})`, { skip: waiting.length === 0 && "no FLEET_WAITING" }, async () => {
      await open(locale, theme, "/inbox");
      const cell = page.getByTestId("inbox-cluster").filter({ hasText: new RegExp(`^${waiting[0]}$`) }).first();
      await cell.waitFor({ timeout: 30000 });
      const row = page.getByTestId("inbox-table").locator("tbody tr", { has: cell });
      // Enabled once the cluster's GET /me allows approving there.
      await row.getByRole("checkbox").check();
      await page.getByTestId("approve-selected").click();
      const dialog = page.locator(".ant-modal-wrap:visible").first();
      const summary = dialog.getByTestId("approve-summary").first();
      await summary.waitFor();
      assert.match((await summary.textContent()) ?? "", lang === "zh" ? /^审批第 \d+ 步/ : /^Approving step \d+ /);
      await check(lang, `inbox approve dialog (${as})`, ".ant-modal-wrap");
      await shot("inbox-approve", false);
      await dialog.getByRole("button", { name: lang === "zh" ? /^取\s*消$/ : /^Cancel$/ }).click();
      await dialog.waitFor({ state: "hidden" });
      assert.equal(await page.getByTestId("inbox-result").count(), 0, "Cancel approved something");
      await row.getByRole("checkbox").uncheck();
    });

    test(`needs attention has a card per cluster (${as})`, async () => {
      await open(locale, theme, "/attention");
      for (const name of names) await page.locator(`[data-testid="attention-cluster"][data-cluster="${name}"]`).waitFor({ timeout: 30000 });
      await check(lang, `needs attention (${as})`);
      await shot("attention");
    });

    test(`"?" opens the keyboard shortcuts (${as})`, async () => {
      await open(locale, theme, "/fleet");
      await page.getByTestId("fleet-cards").waitFor();
      await page.keyboard.press("?");
      await page.getByTestId("shortcuts").waitFor();
      await check(lang, `keyboard shortcuts dialog (${as})`, ".ant-modal-wrap");
      await shot("shortcuts", false);
      await page.keyboard.press("Escape");
      await page.getByTestId("shortcuts").waitFor({ state: "detached" });
    });
  }
}
