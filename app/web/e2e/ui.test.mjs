// Browser tests of the dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core). Run by test/e2e's TestUI against the real binary and the live local cluster,
// with DASHBOARD_URL, UI_NAMESPACE (a CloneSet "catalog" of 2, and a CloneSet "shop" whose Rollout
// waits at step 1 of 3) and SCREENSHOT_DIR in the environment.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const base = process.env.DASHBOARD_URL;
const ns = process.env.UI_NAMESPACE;
const shots = process.env.SCREENSHOT_DIR ?? "e2e-artifacts";
let browser;
let page;

before(async () => {
  assert.ok(base && ns, "DASHBOARD_URL and UI_NAMESPACE must be set");
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
});

const shot = (name) => page.screenshot({ path: join(shots, name + ".png"), fullPage: true });

test("overview shows cluster metrics with their source and the rollout waiting for approval", async () => {
  const start = Date.now();
  await page.goto(`${base}/?ns=${ns}`);
  await page.getByTestId("cluster-metrics").waitFor();
  const firstRender = Date.now() - start;
  console.log(`overview first render: ${firstRender} ms`);
  await page.getByText("Usage source").waitFor();
  await page.getByRole("link", { name: "shop" }).first().waitFor();
  await shot("overview");
});

test("the namespace picker changes the namespace in the URL", async () => {
  await page.goto(`${base}/workloads?ns=default`);
  await page.getByTestId("namespace-select").click();
  await page.locator(".ant-select-item-option", { hasText: ns }).click();
  await page.waitForURL((url) => url.searchParams.get("ns") === ns);
  await page.getByRole("tab", { name: "CloneSet" }).click();
  await page.getByTestId("workload-table").getByRole("link", { name: "catalog" }).waitFor();
  await shot("workloads");
});

test("the rollouts page lists the rollout with its step", async () => {
  await page.goto(`${base}/rollouts?ns=${ns}`);
  await page.getByRole("link", { name: "shop" }).waitFor();
  await page.getByText("1/3").first().waitFor();
  await shot("rollouts");
});

test("a CloneSet is scaled from its page and shows the new replica count", async () => {
  await page.goto(`${base}/workloads?ns=${ns}&type=cloneset`);
  await page.getByRole("link", { name: "catalog" }).click();
  await page.getByTestId("workload-summary").waitFor();
  await page.getByTestId("pod-table").locator("tbody tr").first().waitFor();
  await page.getByTestId("scale-button").click();
  const command = await page.getByTestId("command").textContent();
  await page.getByRole("spinbutton", { name: "Replicas" }).fill("3");
  assert.match(await page.getByTestId("command").textContent(), /kubectl scale cloneset\/catalog -n \S+ --replicas=3/, `command shown was ${command}`);
  await page.getByTestId("confirm-action").click();
  await page.getByTestId("replicas").filter({ hasText: /^3$/ }).waitFor({ timeout: 15000 });
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });
  await shot("workload-detail");
});

test("deep links reload", async () => {
  await page.goto(`${base}/workloads/cloneset/shop?ns=${ns}`);
  await page.getByTestId("workload-summary").waitFor();
});

test("the rollout's waiting step is approved and the controller moves on", async () => {
  await page.goto(`${base}/rollouts/shop?ns=${ns}`);
  await page.getByTestId("step-timeline").waitFor();
  await page.getByTestId("waiting-approval").waitFor();
  await shot("rollout-waiting");
  await page.getByTestId("approve-button").click();
  assert.match(await page.getByTestId("command").textContent(), /kubectl-kruise rollout approve rollout\/shop/);
  await page.getByTestId("confirm-action").click();
  // The real controller starts step 2 and stops there for the next approval.
  await page.getByText("2/3").first().waitFor({ timeout: 60000 });
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });
  await shot("rollout-approved");
});

test("an error shows its message and a copyable trace id", async () => {
  await page.goto(`${base}/workloads/cloneset/missing?ns=${ns}`);
  await page.getByTestId("error-message").waitFor();
  const trace = await page.getByTestId("trace-id").textContent();
  assert.match(trace ?? "", /^[0-9a-f]{32}$/);
});

test("switching to Chinese relabels the page and persists", async () => {
  await page.goto(`${base}/?ns=${ns}`);
  await page.getByTestId("language-select").click();
  await page.locator(".ant-select-item-option", { hasText: "中文" }).click();
  await page.getByText("概览").first().waitFor();
  await page.reload();
  await page.getByText("等待审批").first().waitFor();
  await shot("overview-zh");
});

test("dark mode is one switch away and persists", async () => {
  await page.getByRole("switch", { name: "暗色模式" }).click();
  await page.reload();
  const bg = await page.locator(".ant-layout").first().evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(bg, "rgb(245, 245, 245)", "the layout should use the dark palette");
  await shot("overview-dark");
});
