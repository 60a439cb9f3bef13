// Browser tests of the dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core). Run by test/e2e's TestUI against the real binary and the live local cluster,
// with DASHBOARD_URL, UI_NAMESPACE (a CloneSet "catalog" of 2, and a CloneSet "shop" whose Rollout
// waits at step 1 of 3), SCREENSHOT_DIR and KUBECONFIG (the live cluster's, for kubectl) in the
// environment. The declared types' tests create a SidecarSet (cluster-scoped, removed afterwards), a
// pod it selects, an apps/v1 StatefulSet and a UnitedDeployment (whose subset the Kruise controller
// makes) with kubectl. Every page and dialog is checked with
// axe-core in English and Chinese, light and dark (e2e/axe.mjs): a serious or critical violation
// fails the run, as does a Latin-script word on a Chinese page outside translate="no"
// (e2e/language.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { promisify } from "node:util";
import { join } from "node:path";
import { launchChromium } from "./browser.mjs";
import { checkA11y, checkOneH1 } from "./axe.mjs";
import { checkChinese } from "./language.mjs";

const base = process.env.DASHBOARD_URL;
const ns = process.env.UI_NAMESPACE;
const kubeconfig = process.env.KUBECONFIG;
const run = promisify(execFile);
const shots = process.env.SCREENSHOT_DIR ?? "e2e-artifacts";
let browser;
let page;

before(async () => {
  assert.ok(base && ns, "DASHBOARD_URL and UI_NAMESPACE must be set");
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
});

const shot = (name) => page.screenshot({ path: join(shots, name + ".png"), fullPage: true });
// A dialog or drawer covers the viewport, not the whole page: the screenshot is the viewport.
const viewportShot = (name) => page.screenshot({ path: join(shots, name + ".png") });

test("overview shows cluster metrics with their source and the rollout waiting for approval", async () => {
  const start = Date.now();
  await page.goto(`${base}/?ns=${ns}`);
  await page.getByTestId("cluster-metrics").waitFor();
  const firstRender = Date.now() - start;
  console.log(`overview first render: ${firstRender} ms`);
  await page.getByText("Usage source").waitFor();
  await page.getByRole("link", { name: "shop" }).first().waitFor();
  // The pods card is the namespace's, every pod as kubectl get pods -n lists them (finished ones too).
  await page.getByTestId("namespace-pods").getByText(`Pods in ${ns}`).waitFor();
  const listed = async () => (await run("kubectl", ["--kubeconfig", kubeconfig, "get", "pods", "-n", ns, "--no-headers", "-o", "name"])).stdout.split("\n").filter(Boolean).length;
  for (let tries = 0; ; tries++) {
    const shown = Number(await page.getByTestId("namespace-pods").locator(".ant-statistic-content-value").textContent());
    const want = await listed();
    if (shown === want) break;
    assert.ok(tries < 30, `the pods card says ${shown}, kubectl get pods -n ${ns} lists ${want}`);
    await page.waitForTimeout(1000);
  }
  // shop's release holds its pods by the Rollout's partition: part of the release, not a hold.
  await page.getByTestId("state-count-cloneset-inRelease").waitFor({ timeout: 15000 });
  assert.equal(await page.getByTestId("state-count-cloneset-partitioned").count(), 0);
  await shot("overview");
});

test("keyboard: a skip link comes first, focus is visible on links, and a new page's h1 takes focus", async () => {
  await page.goto(`${base}/?ns=${ns}`);
  await page.getByTestId("cluster-metrics").waitFor();
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      const style = el ? getComputedStyle(el) : undefined;
      return { tag: el?.tagName, text: el?.textContent?.trim(), testId: el?.getAttribute("data-testid"), inMain: !!el?.closest("main"), outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : "", top: el?.getBoundingClientRect().top ?? -1 };
    });
  // The first Tab reaches the skip link, shown on the page while it has focus.
  await page.keyboard.press("Tab");
  let f = await focused();
  assert.equal(f.testId, "skip-link", `the first focus is ${JSON.stringify(f)}`);
  assert.equal(f.text, "Skip to content");
  assert.ok(f.top >= 0, `the skip link is off the page while focused (top ${f.top})`);
  // Links show where focus is (antd draws none on them).
  await page.keyboard.press("Tab");
  f = await focused();
  assert.equal(f.tag, "A", `after the skip link: ${JSON.stringify(f)}`);
  assert.match(f.outline, /^solid [1-9]/, `a focused link's outline: ${f.outline}`);
  // The skip link moves focus past the header to the page's h1.
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Enter");
  f = await focused();
  assert.deepEqual([f.tag, f.inMain, f.text], ["H1", true, "Overview"]);
  // A link followed with the keyboard: the new page's h1 has focus, not <body>.
  for (let i = 0; i < 40 && !(f.tag === "A" && f.inMain); i++) {
    await page.keyboard.press("Tab");
    f = await focused();
  }
  assert.ok(f.tag === "A" && f.inMain, `no link in the page reached: ${JSON.stringify(f)}`);
  assert.match(f.outline, /^solid [1-9]/, `a focused link's outline in the page: ${f.outline}`);
  const from = page.url();
  await page.keyboard.press("Enter");
  await page.waitForURL((u) => u.href !== from);
  await page.locator("main h1").waitFor();
  await page.waitForFunction(() => document.activeElement?.tagName === "H1");
  f = await focused();
  assert.equal(f.inMain, true);
  console.log(`keyboard: followed a link from ${new URL(from).pathname} to ${new URL(page.url()).pathname}; focus on its h1 "${f.text}"`);
});

test("the namespace picker changes the namespace in the URL", async () => {
  await page.goto(`${base}/workloads?ns=default`);
  await page.getByTestId("namespace-select").click();
  // Typed, as a person does among many: the list shows only the first few (virtual scrolling).
  await page.keyboard.type(ns);
  await page.locator(".ant-select-item-option", { hasText: ns }).first().click();
  await page.waitForURL((url) => url.searchParams.get("ns") === ns);
  await page.getByRole("tab", { name: "CloneSet" }).click();
  await page.getByTestId("workload-table").getByRole("link", { name: "catalog" }).waitFor();
  await shot("workloads");
});

test("live: a change made with kubectl shows without a reload; the lists are not polled meanwhile", async () => {
  assert.ok(kubeconfig, "KUBECONFIG (the live cluster's) must be set");
  await page.goto(`${base}/workloads?ns=${ns}&type=cloneset`);
  const table = page.getByTestId("workload-table");
  const row = table.locator("tbody tr", { has: page.getByRole("link", { name: "catalog", exact: true }) });
  await row.waitFor();
  await page.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 15000 });
  assert.match(await page.getByTestId("live-status").textContent(), /^live\s*updated \d\d:\d\d:\d\d/);
  // The stream's changes as the page gets them (a second stream, only to explain any request).
  await page.evaluate((n) => {
    window.kdChanges = [];
    new EventSource(`/api/v1/watch?namespace=${n}`).addEventListener("change", (e) => window.kdChanges.push(JSON.parse(e.data)));
  }, ns);
  await page.waitForTimeout(1000); // the reload that follows the stream's ready
  const asked = [];
  const onRequest = (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/api/v1/workload")) asked.push(u.pathname + u.search);
  };
  page.on("request", onRequest);
  await page.waitForTimeout(7000);
  page.off("request", onRequest);
  const changes = await page.evaluate(() => window.kdChanges.filter((c) => c.kind === "workload" && c.type === "cloneset"));
  // Polling would have asked once or twice; live, only a change of a CloneSet makes it ask again.
  console.log(`live: ${asked.length} list request(s), ${changes.length} CloneSet change(s) in 7 s`);
  assert.ok(asked.length <= changes.length, `requests without changes in live mode: ${asked.join(", ")}`);

  const headers = await table.locator("thead th").allTextContents();
  const cell = (title) => row.locator("td").nth(headers.indexOf(title));
  await page.evaluate(() => (window.kdNotReloaded = true));
  await run("kubectl", ["--kubeconfig", kubeconfig, "scale", "cloneset", "catalog", "-n", ns, "--replicas=4"]);
  await cell("Replicas").filter({ hasText: /^4$/ }).waitFor({ timeout: 15000 });
  // The controller's new pods become ready (kwok): the status follows over the stream too.
  await cell("Ready").filter({ hasText: /^4$/ }).waitFor({ timeout: 60000 });
  assert.equal(await page.evaluate(() => window.kdNotReloaded), true, "the page was reloaded");
  assert.equal(await page.getByTestId("live-status").getAttribute("data-status"), "live");
  await shot("workloads-live");
});

test("without the stream the pages poll every 5 s, and go live again when it is back", async () => {
  const watches = [];
  const onRequest = (r) => {
    if (new URL(r.url()).pathname === "/api/v1/watch") watches.push(r.url());
  };
  page.on("request", onRequest);
  // Moving between pages of one namespace keeps its one stream.
  await page.goto(`${base}/workloads?ns=${ns}&type=cloneset`);
  await page.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 15000 });
  await page.getByTestId("workload-table").getByRole("link", { name: "catalog", exact: true }).click();
  await page.getByTestId("workload-summary").waitFor();
  await page.getByRole("link", { name: "Rollouts", exact: true }).click();
  await page.getByTestId("rollout-table").waitFor();
  await page.waitForTimeout(2500); // longer than a stream nobody uses stays open
  page.off("request", onRequest);
  assert.equal(watches.length, 1, `streams opened: ${watches.join(", ")}`);

  await page.route("**/api/v1/watch*", (route) => route.abort("connectionrefused"));
  try {
    await page.goto(`${base}/workloads?ns=${ns}&type=cloneset`);
    await page.getByTestId("workload-table").getByRole("link", { name: "catalog", exact: true }).waitFor();
    await page.locator('[data-testid="live-status"][data-status="reconnecting"]').waitFor({ timeout: 15000 });
    const lists = await page.waitForRequest((r) => new URL(r.url()).pathname === `/api/v1/workload/${ns}/cloneset`, { timeout: 7000 });
    assert.ok(lists, "the list is polled while the stream is down");
    await page.waitForTimeout(300);
    await viewportShot("live-reconnecting");
  } finally {
    await page.unroute("**/api/v1/watch*");
  }
  // EventSource tries again by itself (retry: 3 s) and the page is live again, without a reload.
  await page.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 20000 });
});

test("the rollouts page lists the rollout with its step", async () => {
  await page.goto(`${base}/rollouts?ns=${ns}`);
  await page.getByRole("link", { name: "shop", exact: true }).waitFor();
  await page.getByText("1/3").first().waitFor();
  await shot("rollouts");
  // The State column shows only what its filter offers.
  const table = page.getByTestId("rollout-table");
  await table.getByTestId("rollout-state-waiting").first().waitFor();
  const shown = (await table.locator('[data-testid^="rollout-state-"]').allTextContents()).map((s) => s.trim());
  await table.locator("th", { hasText: "State" }).locator(".ant-table-filter-trigger").click();
  const menu = page.locator(".ant-table-filter-dropdown .ant-dropdown-menu-item");
  await menu.first().waitFor();
  const offered = (await menu.allTextContents()).map((s) => s.trim());
  for (const s of shown) assert.ok(offered.includes(s), `the State column shows ${s}; the filter offers ${offered.join(", ")}`);
  await page.keyboard.press("Escape");
});

test("a list's search and sort live in the URL: the back button and a reload keep them", async () => {
  await page.goto(`${base}/workloads?ns=${ns}&type=cloneset`);
  const table = page.getByTestId("workload-table");
  await table.getByRole("link", { name: "catalog", exact: true }).waitFor();
  await page.getByTestId("table-search").fill("cata");
  await page.waitForURL((url) => url.searchParams.get("q") === "cata");
  await table.getByRole("link", { name: "shop", exact: true }).waitFor({ state: "detached" });
  await table.locator("th", { hasText: "Age" }).click();
  await page.waitForURL((url) => url.searchParams.get("sort") === "age");
  await page.reload();
  assert.equal(await page.getByTestId("table-search").inputValue(), "cata");
  await table.getByRole("link", { name: "catalog", exact: true }).click();
  await page.getByTestId("workload-summary").waitFor();
  await page.goBack();
  await table.getByRole("link", { name: "catalog", exact: true }).waitFor();
  assert.equal(await page.getByTestId("table-search").inputValue(), "cata");
  assert.equal(new URL(page.url()).searchParams.get("sort"), "age");
});

test("a CloneSet is scaled from its page and shows the new replica count", async () => {
  await page.goto(`${base}/workloads?ns=${ns}&type=cloneset`);
  await page.getByRole("link", { name: "catalog" }).click();
  await page.getByTestId("workload-summary").waitFor();
  await page.getByTestId("pod-table").locator("tbody tr").first().waitFor();
  await page.getByTestId("scale-button").click();
  const command = await page.getByTestId("command").textContent();
  // Labelled, with the current value, and one line saying what the new one does.
  assert.match(await page.getByTestId("current-replicas").textContent(), /^Current: \d+$/);
  await page.getByRole("spinbutton", { name: "Replicas" }).fill("3");
  assert.match(await page.getByTestId("command").textContent(), /kubectl scale clonesets\.apps\.kruise\.io\/catalog -n \S+ --replicas=3/, `command shown was ${command}`);
  assert.match(await page.getByTestId("scale-preview").textContent(), /^\d+ → 3 pods: (\d+ (added|removed) at once|nothing changes); no Rollout governs this workload\.$/);
  await page.waitForTimeout(300); // the dialog's opening animation
  await viewportShot("scale-dialog");
  await page.getByTestId("confirm-action").click();
  await page.getByTestId("col:replicas").filter({ hasText: /^3$/ }).waitFor({ timeout: 15000 });
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });
  await shot("workload-detail");
});

test("a pod's logs open in a drawer, follow the tail and pass the accessibility checks", async () => {
  const open = async () => {
    await page.goto(`${base}/workloads/cloneset/catalog?ns=${ns}`);
    const button = page.getByTestId("pod-table").locator('[data-testid^="pod-logs-"]').first();
    await button.waitFor();
    const pod = (await button.getAttribute("data-testid")).slice("pod-logs-".length);
    await button.click();
    await page.getByTestId("pod-logs").waitFor();
    // The live cluster's fake nodes serve this line for every container (auto-refresh brings it
    // once the container has started: before that the server answers 400).
    await page.getByTestId("log-lines").getByText("serving on :8080 (a kwok fake container)").waitFor({ timeout: 30000 });
    return pod;
  };
  const pod = await open();
  await page.getByRole("dialog", { name: `Logs: ${pod}` }).waitFor();
  assert.equal(await page.getByTestId("log-lines").getAttribute("tabindex"), "0");
  assert.equal(await page.getByRole("log").getAttribute("aria-label"), `Log of container ${await page.getByTestId("log-container").locator(".ant-select-selection-item").textContent()} of pod ${pod}`);
  // Fewer lines: the request asks for 100.
  const asked = page.waitForRequest((r) => r.url().includes(`/pods/${pod}/log`) && new URL(r.url()).searchParams.get("tailLines") === "100");
  await page.getByTestId("log-tail").click();
  await page.locator(".ant-select-item-option", { hasText: "last 100 lines" }).click();
  await asked;
  await page.getByTestId("log-lines").getByText("serving on :8080 (a kwok fake container)").waitFor();
  const refreshed = page.waitForRequest((r) => r.url().includes(`/pods/${pod}/log`));
  await page.getByTestId("log-refresh").click();
  await refreshed;
  await page.waitForTimeout(300); // the drawer's opening animation
  await viewportShot("pod-logs");
  await checkA11y(page, "pod logs (light)");
  await page.evaluate(() => localStorage.setItem("kd.dark", "1"));
  await open();
  await checkA11y(page, "pod logs (dark)");
  await page.evaluate(() => localStorage.setItem("kd.dark", "0"));
  await page.getByRole("button", { name: "Close" }).click();
  await page.getByTestId("pod-logs").waitFor({ state: "detached" });
});

test("deep links reload; the workload and its Rollout link to each other", async () => {
  await page.goto(`${base}/workloads/cloneset/shop?ns=${ns}`);
  await page.getByTestId("workload-summary").waitFor();
  await page.getByTestId("workload-rollout-link").click();
  await page.waitForURL((url) => url.pathname === "/rollouts/shop");
  await page.getByTestId("rollout-workload-link").click();
  await page.waitForURL((url) => url.pathname === "/workloads/cloneset/shop");
  // Before an action that starts a release, the dialog says so.
  await page.getByTestId("restart-button").click();
  await page.getByTestId("action-warning").filter({ hasText: /Rollout shop governs this workload/ }).waitFor();
  await page.getByRole("button", { name: "Cancel" }).click();
});

test("set image: the server's dry run previews the change before anything changes", async () => {
  await page.goto(`${base}/workloads/cloneset/catalog?ns=${ns}`);
  await page.getByTestId("workload-summary").waitFor();
  await page.getByTestId("set-image-button").click();
  const input = page.locator('[data-testid^="image-input-"]').first();
  await input.fill("registry.k8s.io/pause:3.10");
  // kubectl-kruise's documented name of a CloneSet (cloneset/<name>).
  assert.match(await page.getByTestId("command").textContent(), /kubectl-kruise set image cloneset\/catalog \S+=registry\.k8s\.io\/pause:3\.10/);
  await page.getByTestId("template-diff").getByText("registry.k8s.io/pause:3.10").waitFor();
  // No Rollout governs catalog: the preview says no release starts.
  await page.getByTestId("no-release").waitFor();
  await shot("set-image-preview");
  await page.getByTestId("confirm-action").click();
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });
  await page.getByTestId("yaml").getByText("registry.k8s.io/pause:3.10").first().waitFor({ timeout: 15000 });
});

test("relative times follow the page's clock, with no request: the inbox's wait and the Rollout's last update", async () => {
  // A context of its own whose clock the test owns (Date and timers faked, time flowing as usual).
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1440, height: 900 } });
  await context.clock.install();
  const p = await context.newPage();
  try {
    const cases = [
      ["inbox", "/inbox", () => p.getByTestId("inbox-table").locator("tbody tr", { hasText: ns, has: p.getByRole("link", { name: "shop", exact: true }) }).locator("time")],
      ["rollout", `/rollouts/shop?ns=${ns}`, () => p.getByTestId("rollout-summary").locator("time")],
    ];
    for (const [name, path, age] of cases) {
      await p.goto(base + path);
      await age().waitFor();
      await p.locator('[data-testid="live-status"][data-status="live"]').waitFor({ timeout: 15000 });
      await p.waitForTimeout(1000); // the reload that follows the stream's ready
      const before = await age().textContent();
      const asked = [];
      const onRequest = (r) => asked.push(new URL(r.url()).pathname);
      p.on("request", onRequest);
      // Two hours on: every age on the page reads hours, by the page's one ticking clock alone.
      await context.clock.setSystemTime(Date.now() + 2 * 3600 * 1000);
      await age().filter({ hasText: /^2h$/ }).waitFor({ timeout: 5000 });
      const after = await age().textContent();
      p.off("request", onRequest);
      console.log(`${name}: the age read ${before}, then ${after} two hours later by the page's clock`);
      assert.deepEqual(asked, [], `${name}: requests made while the ages moved on`);
      await context.clock.setSystemTime(Date.now());
    }
  } finally {
    await context.close();
  }
});

/**
 * The pod grid shows the pods the Rollout's status carries (one cell each, its state and role),
 * the step's target line matches `target`, and the evidence beside Approve is the dashboard's
 * "unavailable" (no Prometheus here), not green; then the screenshot `name`.
 */
async function checkReleasePods(name, target) {
  await page.getByTestId("pod-grid").waitFor();
  assert.match(await page.getByTestId("pod-grid-target").textContent(), target);
  const cells = () => page.getByTestId("pod-cell").evaluateAll((els) => els.map((e) => `${e.dataset.pod} ${e.dataset.role} ${e.dataset.state}`).sort());
  const served = () =>
    page.evaluate(async (n) => {
      const st = (await (await fetch(`/api/v1/rollout/status/${n}/shop`)).json()).data;
      return st.pods.items.map((p) => `${p.name} ${p.role} ${p.state}`).sort();
    }, ns);
  // The status may move on between the two reads (a pod becoming ready): compare until they agree.
  let shown = [];
  let want = [];
  for (let i = 0; i < 20; i++) {
    [shown, want] = [await cells(), await served()];
    if (shown.length > 0 && JSON.stringify(shown) === JSON.stringify(want)) break;
    await page.waitForTimeout(500);
  }
  assert.deepEqual(shown, want, "the grid's cells are the status's pods");
  const verdict = page.getByTestId("evidence-verdict");
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute("data-verdict"), "unavailable");
  assert.equal(await verdict.getAttribute("data-tone"), "default");
  await page.waitForTimeout(300);
  await shot(name);
}

test("the rollout's waiting step is approved and the controller moves on", async () => {
  await page.goto(`${base}/rollouts/shop?ns=${ns}`);
  await page.getByTestId("step-timeline").waitFor();
  await page.getByTestId("waiting-approval").waitFor();
  // The waiting step is marked in the timeline; the progress reads "x of N" against the step.
  await page.getByTestId("waiting-step").waitFor();
  assert.match(await page.getByTestId("rollout-updated").textContent(), /^\d+ of \d+/);
  await checkReleasePods("rollout-evidence-en", /^Step 1: \d+ of \d+ canary pods ready, target 1/);
  // No Prometheus in this cluster: the dashboard's verdict says unavailable, neutral, never green.
  await page.getByTestId("evidence-whose").getByText("not the controller's").waitFor();
  await page.getByTestId("evidence-verdict").filter({ hasText: "unavailable" }).waitFor();
  await shot("rollout-waiting");
  // One Approve: no Promote beside it.
  assert.equal(await page.getByTestId("promote-button").count(), 0);
  await page.getByTestId("approve-button").click();
  assert.match(await page.getByTestId("command").textContent(), /kubectl-kruise rollout approve rollout\/shop/);
  // The dialog names the step and what the next one does to which pods (the workload has 4).
  await page.getByTestId("approve-summary").filter({ hasText: "Approving step 1 starts step 2 of 3: 50% = 2 of 4 pods on the new revision; step 2 then waits for approval." }).waitFor();
  await page.getByRole("dialog", { name: "Approve step 1 of shop" }).waitFor();
  await page.waitForTimeout(300); // the dialog's opening animation
  await viewportShot("approve-dialog");
  await page.getByTestId("approve-reason").fill("e2e: the canary looks fine");
  await page.getByTestId("confirm-action").click();
  // The real controller starts step 2 and stops there for the next approval.
  await page.getByText("2/3").first().waitFor({ timeout: 60000 });
  // The release timeline names who approved step 1 and keeps the reason (the record on the Rollout).
  const approved = page.getByTestId("release-timeline").getByTestId("timeline-step-1").getByTestId("timeline-approval");
  await approved.filter({ hasText: "approved by" }).waitFor({ timeout: 15000 });
  assert.equal(await approved.getAttribute("data-outside"), "false");
  assert.match(await approved.getByTestId("timeline-reason").textContent(), /e2e: the canary looks fine/);
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });
  // The Approve button went with the wait it approved: focus is on the page (its h1), not <body>.
  assert.equal(await page.evaluate(() => document.activeElement?.closest("main") !== null), true, `focus after Approve: ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120))}`);
  await shot("rollout-approved");
});

test("undo previews the target revision, its images and the diff before it runs", async () => {
  await page.goto(`${base}/rollouts/shop?ns=${ns}`);
  await page.getByTestId("undo-button").click();
  await page.getByTestId("undo-preview").waitFor({ timeout: 15000 });
  assert.match(await page.getByTestId("undo-preview").textContent(), /Rolls CloneSet\/shop back from revision \d+ to revision \d+/);
  await shot("undo-preview");
  await page.getByRole("button", { name: "Cancel" }).click();
});

test("the inbox approves the selected waiting steps and shows each one's result", async () => {
  await page.goto(`${base}/inbox`);
  // Every namespace's waiting releases are listed: this namespace's shop is the one.
  const row = page.getByTestId("inbox-table").locator("tbody tr", { hasText: ns, has: page.getByRole("link", { name: "shop", exact: true }) });
  // The release reaches step 2 and waits there (the inbox polls).
  await row.filter({ hasText: "2/3" }).waitFor({ timeout: 90000 });
  await row.getByRole("checkbox").check();
  await page.getByTestId("approve-selected").click();
  await page.getByTestId("approve-list").getByText(`${ns}/shop`).waitFor();
  // The dialog says what approving does to which pods, naming the step, as the Rollout page's does
  // (4 pods when the status counts them, "the pods" when it does not).
  const summary = page.getByTestId("approve-list").locator("li", { hasText: `${ns}/shop` }).getByTestId("approve-summary");
  assert.match(await summary.textContent(), /^Approving step 2 starts step 3 of 3: 100% (= 4 of 4 pods|of the pods) on the new revision; step 3 then finishes the release\.$/);
  await page.getByTestId("confirm-action").click();
  await page.getByTestId("inbox-result").filter({ hasText: "step 2 approved" }).waitFor({ timeout: 15000 });
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });
  await page.waitForTimeout(300); // the dialog's closing animation
  // The button that opened the dialog is gone (nothing is selected now): focus is on the page.
  assert.equal(await page.evaluate(() => document.activeElement?.closest("main") !== null), true, `focus after approving: ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120))}`);
  await shot("inbox-approved");
});

test("a finished Rollout offers only what means something, and Disable says what it does", async () => {
  await page.goto(`${base}/rollouts/shop?ns=${ns}`);
  // The release the inbox approved at step 2 goes through its last (100%) step by itself.
  await page.getByTestId("rollout-release").filter({ hasText: "Last release completed — no release in progress" }).waitFor({ timeout: 90000 });
  assert.equal(await page.getByTestId("rollout-state").textContent(), "-");
  for (const absent of ["approve-button", "promote-button", "pause-button"]) assert.equal(await page.getByTestId(absent).count(), 0, `${absent} on a finished Rollout`);
  await page.getByTestId("disable-button").click();
  await page.getByTestId("disable-summary").filter({ hasText: /^After Disable, the next image change of CloneSet\/shop goes to all 4 pods at once, by its own update strategy/ }).waitFor();
  await page.waitForTimeout(300);
  await viewportShot("rollout-finished-disable");
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });
});

test("an error shows its message and a copyable trace id, and a way back", async () => {
  await page.goto(`${base}/workloads/cloneset/missing?ns=${ns}`);
  await page.getByTestId("error-message").waitFor();
  const trace = await page.getByTestId("trace-id").textContent();
  assert.match(trace ?? "", /^[0-9a-f]{32}$/);
  await page.getByTestId("back-link").click();
  await page.getByTestId("workload-table").waitFor();
});

test("an unknown route is a 404 page with a link back to the overview", async () => {
  await page.goto(`${base}/no/such/page?ns=${ns}`);
  await page.getByTestId("not-found").waitFor();
  await page.getByTestId("back-to-overview").click();
  await page.getByTestId("cluster-metrics").waitFor();
});

// Declared types (configs/types/*.yaml): the UI knows them only from GET /workload-types.
const sidecarSet = `${ns}-sidecars`;
const kubectl = (...args) => run("kubectl", ["--kubeconfig", kubeconfig, ...args]);
/** kubectl apply -f - of a manifest. */
const apply = (manifest) =>
  new Promise((resolve, reject) => {
    const child = execFile("kubectl", ["--kubeconfig", kubeconfig, "apply", "-f", "-"], (err, stdout, stderr) => (err ? reject(new Error(`kubectl apply: ${stderr || err.message}`)) : resolve(stdout)));
    child.stdin.end(manifest);
  });
/** Polls a kubectl jsonpath until it reads want. */
async function waitJsonpath(args, path, want, timeout = 15000) {
  const until = Date.now() + timeout;
  let got;
  for (;;) {
    got = (await kubectl(...args, "-o", `jsonpath=${path}`)).stdout.trim();
    if (got === want) return;
    if (Date.now() > until) throw new Error(`${args.join(" ")} ${path}: ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
/** The cells of a table's row under their column titles. */
async function rowCells(table, name) {
  const row = table.locator("tbody tr", { has: page.getByRole("link", { name, exact: true }) });
  await row.waitFor();
  const headers = (await table.locator("thead th").allTextContents()).map((h) => h.trim());
  return { row, headers, cell: (title) => row.locator("td").nth(headers.indexOf(title)) };
}

after(async () => {
  // Cluster-scoped: not removed with the test's namespace.
  if (kubeconfig) await kubectl("delete", "sidecarset", sidecarSet, "--ignore-not-found", "--wait=false").catch(() => undefined);
});

test("a declared cluster-scoped type (SidecarSet): listed with its columns, shown, and paused from the browser", async () => {
  assert.ok(kubeconfig, "KUBECONFIG (the live cluster's) must be set");
  await apply(`apiVersion: apps.kruise.io/v1alpha1
kind: SidecarSet
metadata:
  name: ${sidecarSet}
spec:
  selector:
    matchLabels:
      e2e-sidecar: ${ns}
  containers:
    - name: log-agent
      image: busybox:1.36
      command: ["sleep", "infinity"]
`);
  // A pod it selects (the webhook injects the sidecar into it).
  await apply(`apiVersion: v1
kind: Pod
metadata:
  name: with-sidecar
  namespace: ${ns}
  labels:
    e2e-sidecar: ${ns}
spec:
  containers:
    - name: main
      image: nginx:1.27
`);
  await page.goto(`${base}/workloads?ns=${ns}`);
  const tab = page.getByRole("tab", { name: /SidecarSet/ });
  await tab.click();
  await page.waitForURL((url) => url.searchParams.get("type") === "sidecarset");
  // Listed whatever namespace is picked, and said to be cluster-scoped.
  await page.getByTestId("cluster-scoped-note").waitFor();
  const table = page.getByTestId("workload-table");
  const { headers, cell } = await rowCells(table, sidecarSet);
  for (const title of ["Name", "State", "Matched pods", "Updated", "Ready", "Sidecars", "Age"]) assert.ok(headers.includes(title), `columns ${headers.join(", ")} lack ${title}`);
  await cell("Sidecars").filter({ hasText: "log-agent=busybox:1.36" }).waitFor();
  // The controller counts the pod (the server's CEL column, over the live stream).
  await cell("Matched pods").filter({ hasText: /^1$/ }).waitFor({ timeout: 60000 });
  assert.equal(await cell("Matched pods").evaluate((td) => getComputedStyle(td).textAlign), "right");
  await shot("declared-sidecarset-list");
  await checkA11y(page, "declared type list (light)");

  await table.getByRole("link", { name: sidecarSet, exact: true }).click();
  await page.waitForURL((url) => url.pathname === `/workloads/sidecarset/${sidecarSet}`);
  await page.getByRole("heading", { level: 1, name: `SidecarSet ${sidecarSet}` }).waitFor();
  const summary = page.getByTestId("workload-summary");
  await summary.getByTestId("col:sidecars").filter({ hasText: "log-agent=busybox:1.36" }).waitFor();
  assert.match(await page.getByTestId("workload-scope").textContent(), /Cluster/);
  // Its pods are found by its selector in every namespace: the namespace is a column.
  const pods = page.getByTestId("pod-table");
  await pods.locator("tbody tr", { hasText: "with-sidecar" }).filter({ hasText: ns }).waitFor({ timeout: 30000 });
  const podHeaders = (await pods.locator("thead th").allTextContents()).map((h) => h.trim());
  assert.ok(podHeaders.includes("Namespace"), `pod columns ${podHeaders.join(", ")}`);
  // No scale or restart: the declaration does not say it can.
  assert.equal(await page.getByTestId("scale-button").count(), 0);
  assert.equal(await page.getByTestId("restart-button").count(), 0);
  await shot("declared-sidecarset-detail");

  // Its declared action, from the browser: the dry run previews it, the command is its merge patch.
  await page.getByTestId("action-pause").click();
  await page.getByTestId("object-diff").getByText("spec.updateStrategy.paused").waitFor({ timeout: 15000 });
  assert.equal(await page.getByTestId("command").textContent(), `kubectl patch sidecarsets.apps.kruise.io ${sidecarSet} --type merge -p '{"spec":{"updateStrategy":{"paused":true}}}'`);
  await page.getByTestId("command-note").waitFor();
  await page.waitForTimeout(300); // the dialog's opening animation
  await viewportShot("declared-action-preview");
  await checkA11y(page, "declared action dialog (light)");
  await page.getByTestId("confirm-action").click();
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });
  await waitJsonpath(["get", "sidecarset", sidecarSet], "{.spec.updateStrategy.paused}", "true");
  // The server's state expression says paused; the page follows over the live stream.
  await summary.getByTestId("workload-state").filter({ hasText: "Paused" }).waitFor({ timeout: 15000 });
  await page.getByTestId("events").getByText("ActionByDashboard").waitFor({ timeout: 40000 });
  await shot("declared-sidecarset-paused");

  // The overview counts it too (under _cluster), whatever namespace is picked.
  await page.goto(`${base}/?ns=${ns}`);
  await page.getByTestId("state-count-sidecarset-paused").waitFor({ timeout: 15000 });
  // apps/v1's StatefulSet is "StatefulSet", Kruise's the Advanced one: no id, no ambiguity.
  await page.getByTestId("type-counts").getByText("StatefulSet", { exact: true }).waitFor();
  await page.getByTestId("type-counts").getByText("Advanced StatefulSet", { exact: true }).waitFor();
  assert.equal(await page.getByTestId("type-counts").getByText("apps-statefulset").count(), 0);
  await shot("declared-overview");
});

test("a declared namespaced type (apps/v1 StatefulSet): its columns, and an action with a parameter", async () => {
  assert.ok(kubeconfig, "KUBECONFIG (the live cluster's) must be set");
  await apply(`apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: ${ns}
spec:
  replicas: 2
  serviceName: db
  selector:
    matchLabels:
      app: e2e-db
  template:
    metadata:
      labels:
        app: e2e-db
    spec:
      containers:
        - name: main
          image: nginx:1.27
`);
  await page.goto(`${base}/workloads?ns=${ns}`);
  // Beside Kruise's "Advanced StatefulSet", the plain name is apps/v1's.
  await page.getByRole("tab", { name: "StatefulSet", exact: true }).click();
  await page.waitForURL((url) => url.searchParams.get("type") === "apps-statefulset");
  const table = page.getByTestId("workload-table");
  const { headers, cell } = await rowCells(table, "db");
  for (const title of ["Replicas", "Ready", "Up to date", "Update revision"]) assert.ok(headers.includes(title), `columns ${headers.join(", ")} lack ${title}`);
  await cell("Replicas").filter({ hasText: /^2$/ }).waitFor();
  await cell("Ready").filter({ hasText: /^2$/ }).waitFor({ timeout: 60000 });
  await page.waitForTimeout(300); // the tab's ink bar
  await shot("declared-statefulset-list");

  await table.getByRole("link", { name: "db", exact: true }).click();
  await page.getByTestId("workload-summary").waitFor();
  await page.getByTestId("scale-button").waitFor(); // the declaration says scalable
  await page.getByTestId("action-partition").click();
  const input = page.getByLabel(/Ordinals kept back/);
  // The form holds the action back until the parameter is valid.
  assert.equal(await page.getByTestId("confirm-action").isDisabled(), true);
  await input.fill("1");
  await page.getByTestId("object-diff").getByText("spec.updateStrategy.rollingUpdate.partition").waitFor({ timeout: 15000 });
  assert.match(await page.getByTestId("command").textContent(), /^kubectl patch statefulsets\.apps db -n \S+ --type merge -p '\{"spec":\{"updateStrategy":\{"rollingUpdate":\{"partition":1\}\}\}\}'$/);
  await page.waitForTimeout(300);
  await viewportShot("declared-action-params");
  await page.getByTestId("confirm-action").click();
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });
  await waitJsonpath(["get", "statefulset.apps", "db", "-n", ns], "{.spec.updateStrategy.rollingUpdate.partition}", "1");
  // The action is recorded on the object.
  await page.getByTestId("events").getByText("ActionByDashboard").waitFor({ timeout: 40000 });
});

test("a UnitedDeployment's subset names its owner, and every dialog warns that the owner may undo the change", async () => {
  assert.ok(kubeconfig, "KUBECONFIG (the live cluster's) must be set");
  await apply(`apiVersion: apps.kruise.io/v1alpha1
kind: UnitedDeployment
metadata:
  name: regions
  namespace: ${ns}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: e2e-regions
  template:
    advancedStatefulSetTemplate:
      metadata:
        labels:
          app: e2e-regions
      spec:
        podManagementPolicy: Parallel
        selector:
          matchLabels:
            app: e2e-regions
        template:
          metadata:
            labels:
              app: e2e-regions
          spec:
            containers:
              - name: main
                image: nginx:1.27
  topology:
    subsets:
      - name: zone-a
`);
  await page.goto(`${base}/workloads?ns=${ns}&type=statefulset`);
  await page.getByRole("tab", { name: "Advanced StatefulSet", exact: true }).waitFor();
  const table = page.getByTestId("workload-table");
  await table.getByTestId("owner-link").filter({ hasText: "UnitedDeployment regions" }).first().waitFor({ timeout: 60000 });
  const row = table.locator("tbody tr", { has: page.getByTestId("owner-link").filter({ hasText: "UnitedDeployment regions" }) }).first();
  const subset = (await row.getByRole("link").first().textContent()).trim();
  assert.match(subset, /^regions-zone-a-/);
  await shot("owned-subset-list");
  await table.getByRole("link", { name: subset, exact: true }).click();
  await page.getByTestId("workload-summary").getByTestId("owner-link").filter({ hasText: "UnitedDeployment regions" }).waitFor();
  for (const button of ["scale-button", "restart-button", "set-image-button", "delete-button"]) {
    await page.getByTestId(button).click();
    await page.getByTestId("action-warning").getByTestId("owner-warning").getByText("UnitedDeployment regions manages this object").waitFor();
    if (button === "scale-button") {
      await page.waitForTimeout(300);
      await viewportShot("owned-subset-scale-warning");
    }
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    await page.getByTestId("confirm-action").waitFor({ state: "detached" });
  }
  // The owner is linked to its page.
  await page.getByTestId("workload-summary").getByTestId("owner-link").click();
  await page.waitForURL((url) => url.pathname === "/workloads/uniteddeployment/regions");
  await kubectl("delete", "uniteddeployment", "regions", "-n", ns, "--wait=false");
});

test("switching to Chinese relabels the page and persists", async () => {
  await page.goto(`${base}/?ns=${ns}`);
  await page.getByTestId("language-select").click();
  await page.locator(".ant-select-item-option", { hasText: "中文" }).click();
  await page.getByText("概览").first().waitFor();
  await page.reload();
  await page.getByRole("link", { name: "待审批", exact: true }).waitFor();
  await page.getByRole("heading", { level: 1, name: "概览" }).waitFor();
  await page.getByTestId("namespace-pods").getByText(`${ns} 中的 Pod`).waitFor();
  await shot("overview-zh");
});

test("the release pages in Chinese: the set-image preview, a release started and waiting", async () => {
  // No Rollout governs catalog: the dry run's preview, every label Chinese.
  await page.goto(`${base}/workloads/cloneset/catalog?ns=${ns}`);
  await page.getByTestId("workload-summary").waitFor();
  await page.getByRole("button", { name: "设置镜像" }).click();
  await page.locator('[data-testid^="image-input-"]').first().fill("registry.k8s.io/pause:3.9");
  await page.getByTestId("template-diff").getByText("registry.k8s.io/pause:3.9").waitFor();
  await page.getByText("预览（服务端试运行：尚未做任何更改）").waitFor();
  await page.getByText("Pod 模板的变化").waitFor();
  await page.getByTestId("no-release").getByText("没有 Rollout 管理此工作负载").waitFor();
  await page.waitForTimeout(300); // the dialog's opening animation
  await viewportShot("set-image-preview-zh");
  await page.keyboard.press("Escape");
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });

  // shop's last release has finished by now: a new image starts the next one, which waits at step 1.
  await page.goto(`${base}/workloads/cloneset/shop?ns=${ns}`);
  await page.getByTestId("workload-summary").waitFor();
  await page.getByRole("button", { name: "设置镜像" }).click();
  await page.getByTestId("action-warning").getByText("Rollout shop 管理此工作负载").waitFor();
  await page.locator('[data-testid^="image-input-"]').first().fill("nginx:1.29");
  await page.getByTestId("starts-release").getByText("这将在 Rollout shop 下开始一次新的发布").waitFor();
  await page.getByTestId("release-steps").getByText("需人工审批").first().waitFor();
  await page.waitForTimeout(300);
  await viewportShot("set-image-release-zh");
  await page.getByTestId("confirm-action").click();
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });

  await page.goto(`${base}/rollouts/shop?ns=${ns}`);
  await page.getByTestId("step-timeline").waitFor();
  await page.getByRole("heading", { level: 1, name: `发布 ${ns}/shop` }).waitFor();
  await page.getByTestId("waiting-approval").getByText("等待审批").waitFor({ timeout: 90000 });
  await page.getByTestId("waiting-step").waitFor();
  assert.match(await page.getByTestId("rollout-updated").textContent(), /^\d+ \/ \d+，就绪 \d+/);
  for (const label of ["状态", "策略", "步骤", "历史"]) await page.getByText(label, { exact: true }).first().waitFor();
  await page.getByText(/^事件 \(\d+\)$/).waitFor();
  await page.getByTestId("evidence-whose").getByText("不是控制器的").waitFor();
  await page.getByTestId("evidence-verdict").filter({ hasText: "不可用" }).waitFor();
  await checkReleasePods("rollout-evidence-zh", /^步骤 1：金丝雀 Pod \d+ 个中 \d+ 个就绪，目标 1 个/);
  await page.waitForTimeout(300);
  await shot("rollout-zh");
});

test("dark mode is one switch away and persists", async () => {
  await page.getByRole("switch", { name: "暗色模式" }).click();
  await page.reload();
  const bg = await page.locator(".ant-layout").first().evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(bg, "rgb(245, 245, 245)", "the layout should use the dark palette");
  await shot("overview-dark");
});

// Every page and every dialog in English and Chinese, light and dark (last: the release pages in
// Chinese left shop's release waiting at step 1, so its Approve and Promote dialogs are there):
// axe-core finds no serious or critical violation, a page has one h1, and a Chinese page shows no
// Latin-script word outside the values marked translate="no" (e2e/language.mjs). Screenshots of
// every page in each combination: <page>-<en|zh>-<light|dark>.png; of every dialog in Chinese.
// One page load per combination: the pages are reached as the app reaches them (the router).
test("every page and every dialog, in English and Chinese, light and dark: accessible, one h1, and no English in Chinese", async () => {
  // Each page, what shows it is loaded, and the buttons of its dialogs ("inbox-approve": select a
  // row, then Approve selected; "pod-logs": the first pod's logs drawer).
  const pages = [
    ["overview", `/?ns=${ns}`, "cluster-metrics", []],
    ["workloads", `/workloads?ns=${ns}&type=cloneset`, "workload-table", []],
    ["workload", `/workloads/cloneset/shop?ns=${ns}`, "pod-table", ["scale-button", "restart-button", "set-image-button", "delete-button", "pod-logs"]],
    ["rollouts", `/rollouts?ns=${ns}`, "rollout-table", []],
    ["rollout", `/rollouts/shop?ns=${ns}`, "step-timeline", ["approve-button", "pause-button", "undo-button", "disable-button"]],
    ["inbox", `/inbox?ns=${ns}`, "inbox-table", ["inbox-approve"]],
    ["declared-list", `/workloads?ns=${ns}&type=sidecarset`, "workload-table", []],
    ["declared", `/workloads/sidecarset/${sidecarSet}?ns=${ns}`, "workload-summary", ["action-pause", "action-resume", "action-partition"]],
    ["not-found", `/no/such/page?ns=${ns}`, "not-found", []],
  ];
  const go = (path) =>
    page.evaluate((p) => {
      history.pushState(null, "", p);
      dispatchEvent(new PopStateEvent("popstate"));
    }, path);
  const start = Date.now();
  let scans = 0;
  if (!page.url().startsWith(base)) await page.goto(`${base}/?ns=${ns}`); // localStorage is the dashboard's
  // One favourite pinned (as the star does), so the overview's favourites card is checked too.
  await page.evaluate((f) => localStorage.setItem("kd.favourites", JSON.stringify([f])), { cluster: "", kind: "workload", type: "cloneset", namespace: ns, name: "shop" });
  for (const [lang, locale] of [["en", "en-US"], ["zh", "zh-CN"]]) {
    for (const theme of ["light", "dark"]) {
      const combo = Date.now();
      await page.evaluate(([l, dark]) => {
        localStorage.setItem("kd.locale", l);
        localStorage.setItem("kd.dark", dark ? "1" : "0");
      }, [locale, theme === "dark"]);
      await page.goto(`${base}/?ns=${ns}`);
      const check = async (what, context) => {
        const name = `${what} (${lang}, ${theme})`;
        // The menu's selection and the dialogs' motion last 0.3 s: checked once they have ended.
        await checkA11y(page, name, context ? { context, settleMs: 400 } : { settleMs: 500 });
        if (lang === "zh") await checkChinese(page, name);
        scans++;
      };
      for (const [name, path, ready, buttons] of pages) {
        await go(path);
        await page.getByTestId(ready).first().waitFor();
        if (name === "overview") await page.getByTestId("favourite").filter({ hasText: `${ns}/shop` }).waitFor();
        await checkOneH1(page, `${name} (${lang}, ${theme})`);
        await check(name);
        // The h1 took focus (the router's navigation): the screenshot shows the page, not the ring.
        await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
        await shot(`${name}-${lang}-${theme}`);
        for (const b of buttons) {
          const row = page.getByTestId("inbox-table").locator("tbody tr", { hasText: ns });
          if (b === "pod-logs") await page.getByTestId("pod-table").locator('[data-testid^="pod-logs-"]').first().click();
          else if (b === "inbox-approve") {
            await row.getByRole("checkbox").check();
            await page.getByTestId("approve-selected").click();
          } else await page.getByTestId(b).click();
          const dialog = page.locator(".ant-modal-wrap:visible, .ant-drawer-content-wrapper:visible").first();
          await dialog.waitFor();
          // A preview (the server's dry run) is part of the dialog: checked once it has answered.
          await dialog.locator(".ant-spin-spinning").first().waitFor({ state: "detached", timeout: 15000 });
          await check(`${b} dialog of ${name}`, ".ant-modal-wrap, .ant-drawer");
          if (lang === "zh") await viewportShot(`dialog-${name}-${b}-zh-${theme}`);
          await dialog.locator(".ant-modal-close, .ant-drawer-close").click();
          await dialog.waitFor({ state: "hidden" });
          if (b === "inbox-approve") await row.getByRole("checkbox").uncheck();
        }
      }
      console.log(`${lang} ${theme}: ${Math.round((Date.now() - combo) / 1000)} s`);
    }
  }
  console.log(`${scans} pages and dialogs checked in ${Math.round((Date.now() - start) / 1000)} s`);
  await page.evaluate(() => {
    localStorage.setItem("kd.locale", "en-US");
    localStorage.setItem("kd.dark", "0");
    localStorage.removeItem("kd.favourites");
  });
});

test("a release rolled back in the middle reads rolled back / cancelled, not a step waiting", async () => {
  // shop's release waits at step 1 (the Chinese release test; the every-page test only opens and
  // closes dialogs): undo goes back to the stable revision. Last, as it ends that release.
  await page.evaluate(() => {
    localStorage.setItem("kd.locale", "zh-CN");
    localStorage.setItem("kd.dark", "0");
  });
  await page.goto(`${base}/rollouts/shop?ns=${ns}`);
  await page.getByTestId("waiting-approval").waitFor();
  await page.getByTestId("undo-button").click();
  await page.getByTestId("undo-preview").waitFor({ timeout: 15000 });
  await page.getByTestId("confirm-action").click();
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });
  // The controller cancels the release and leaves its sub-status at step 1 (StepPaused): the page says what it is.
  await page.getByTestId("rollout-release").filter({ hasText: "已回滚/取消——没有进行中的发布" }).waitFor({ timeout: 90000 });
  await page.getByTestId("rollout-phase").filter({ hasText: "健康" }).waitFor({ timeout: 30000 });
  assert.equal(await page.getByTestId("rollout-state").textContent(), "-");
  assert.equal(await page.getByTestId("waiting-approval").count(), 0);
  assert.equal(await page.getByTestId("approve-button").count(), 0);
  assert.equal(await page.getByTestId("waiting-step").count(), 0);
  await page.waitForTimeout(300);
  await shot("rollout-cancelled-zh");
});
