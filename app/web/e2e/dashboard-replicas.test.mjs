// A replica killed while the browser streams from it (headless Chromium, playwright-core). Run by
// test/e2e's TestUIReplicaKilled: PROXY_URL fronts two replicas as a Service would; CONTROL_URL's
// POST /kill kills the serving replica and sends the proxy to the other, POST /create creates the
// CloneSet "after" in UI_NAMESPACE (which has "before").
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "./browser.mjs";

const { PROXY_URL: proxy, CONTROL_URL: control, UI_NAMESPACE: ns, VIEWER_TOKEN: token } = process.env;
const shots = process.env.SCREENSHOT_DIR ?? "e2e-artifacts";
let browser;

before(async () => {
  assert.ok(proxy && control && ns && token, "PROXY_URL, CONTROL_URL, UI_NAMESPACE and VIEWER_TOKEN must be set");
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

const ask = async (what) => {
  const r = await fetch(`${control}/${what}`, { method: "POST" });
  assert.equal(r.status, 200, `${what}: ${await r.text()}`);
};

test("the replica serving the page is killed: the page reconnects to the other and stays live", async () => {
  const page = await (await browser.newContext({ locale: "en-US", viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(`${proxy}/workloads?ns=${ns}&type=cloneset`);
  await page.getByTestId("sign-in-page").waitFor();
  await page.getByTestId("token-input").fill(token);
  await page.getByTestId("sign-in").click();
  await page.getByTestId("current-user").filter({ hasText: "viewer" }).waitFor();
  const table = page.getByTestId("workload-table");
  await table.getByRole("link", { name: "before", exact: true }).waitFor();
  const live = page.locator('[data-testid="live-status"][data-status="live"]');
  await live.waitFor({ timeout: 15000 });
  await page.evaluate(() => (window.kdNotReloaded = true));

  await ask("kill");
  // The stream breaks; EventSource reconnects (retry 3 s) through the proxy to the other replica,
  // which takes the session and answers reset: the page reloads its data and is live again.
  await page.locator('[data-testid="live-status"]:not([data-status="live"])').waitFor({ timeout: 15000 });
  await live.waitFor({ timeout: 30000 });
  await ask("create");
  await table.getByRole("link", { name: "after", exact: true }).waitFor({ timeout: 20000 });
  assert.equal(await page.evaluate(() => window.kdNotReloaded), true, "the page was reloaded");
  assert.equal(await page.getByTestId("current-user").textContent(), "viewer", "the session was lost");
  await page.screenshot({ path: join(shots, "replica-killed.png"), fullPage: true });
});
