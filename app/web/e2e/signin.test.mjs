// Browser tests of sign-in in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core). Run by test/e2e's TestUISignIn against two dashboard binaries on the live
// cluster: TOKEN_URL (auth mode token) and OIDC_URL (auth mode oidc, with a real OpenID provider
// on loopback), with UI_NAMESPACE (a CloneSet "shop" whose Rollout waits at step 1 of 3), the
// viewer's and approver's tokens, and the OpenID user's credentials in the environment.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "./browser.mjs";
import { checkA11y } from "./axe.mjs";
import { checkChinese } from "./language.mjs";

const { TOKEN_URL: tokenURL, OIDC_URL: oidcURL, UI_NAMESPACE: ns, VIEWER_TOKEN: viewerToken, APPROVER_TOKEN: approverToken } = process.env;
const shots = process.env.SCREENSHOT_DIR ?? "e2e-artifacts";
let browser;

before(async () => {
  assert.ok(tokenURL && oidcURL && ns && viewerToken && approverToken, "TOKEN_URL, OIDC_URL, UI_NAMESPACE and the tokens must be set");
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

// Each person gets a browser context of their own (their own cookies).
const newPage = async () => (await browser.newContext({ locale: "en-US", viewport: { width: 1440, height: 900 } })).newPage();

const signInWithToken = async (page, token, user) => {
  await page.goto(`${tokenURL}/rollouts/shop?ns=${ns}`);
  await page.getByTestId("sign-in-page").waitFor();
  await page.getByTestId("token-input").fill(token);
  await page.getByTestId("sign-in").click();
  await page.getByTestId("current-user").filter({ hasText: user }).waitFor();
};

const signOut = async (page) => {
  await page.getByTestId("sign-out").click();
  await page.getByTestId("sign-in-page").waitFor();
};

test("without a session the token sign-in page is shown", async () => {
  const page = await newPage();
  await page.goto(`${tokenURL}/?ns=${ns}`);
  await page.getByTestId("sign-in-page").waitFor();
  assert.equal(await page.getByTestId("token-input").getAttribute("type"), "password");
  await page.screenshot({ path: join(shots, "sign-in-token.png"), fullPage: true });
});

test("the sign-in pages in English and Chinese, light and dark: accessible, and no English in Chinese", async () => {
  const page = await newPage();
  for (const [mode, url] of [["token", tokenURL], ["oidc", oidcURL]]) {
    await page.goto(`${url}/?ns=${ns}`);
    for (const [lang, locale] of [["en", "en-US"], ["zh", "zh-CN"]]) {
      for (const theme of ["light", "dark"]) {
        await page.evaluate(([l, dark]) => {
          localStorage.setItem("kd.locale", l);
          localStorage.setItem("kd.dark", dark ? "1" : "0");
        }, [locale, theme === "dark"]);
        await page.goto(`${url}/?ns=${ns}`);
        await page.getByTestId("sign-in-page").waitFor();
        const name = `sign-in ${mode} (${lang}, ${theme})`;
        await checkA11y(page, name);
        if (lang === "zh") await checkChinese(page, name);
        await page.screenshot({ path: join(shots, `sign-in-${mode}-${lang}-${theme}.png`), fullPage: true });
      }
    }
  }
  await page.context().close();
});

test("a viewer signs in with a token and sees the actions disabled with the missing permission", async () => {
  const page = await newPage();
  await signInWithToken(page, viewerToken, "viewer");
  // Back on the page the sign-in interrupted.
  await page.getByTestId("step-timeline").waitFor();
  await page.getByTestId("waiting-approval").waitFor();
  const approve = page.getByTestId("approve-button");
  await approve.waitFor();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="approve-button-reason"]');
    return el && /rollouts\/status/.test(el.getAttribute("data-reason") ?? "");
  });
  assert.equal(await approve.isDisabled(), true, "approve must be disabled for a viewer");
  await page.getByTestId("approve-button-reason").hover();
  await page.getByRole("tooltip").filter({ hasText: /needs patch rollouts\/status/ }).waitFor();
  await page.screenshot({ path: join(shots, "viewer-disabled.png"), fullPage: true });

  await page.goto(`${tokenURL}/workloads/cloneset/shop?ns=${ns}`);
  await page.getByTestId("workload-summary").waitFor();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="scale-button-reason"]');
    return el && /clonesets\/scale/.test(el.getAttribute("data-reason") ?? "");
  });
  assert.equal(await page.getByTestId("scale-button").isDisabled(), true, "scale must be disabled for a viewer");
  await signOut(page);
});

test("an approver approves the waiting step and the controller moves on", async () => {
  const page = await newPage();
  await signInWithToken(page, approverToken, "approver");
  await page.getByTestId("waiting-approval").waitFor();
  const approve = page.getByTestId("approve-button");
  await page.waitForFunction(() => !document.querySelector('[data-testid="approve-button"]')?.disabled);
  await approve.click();
  await page.getByTestId("confirm-action").click();
  await page.getByText("2/3").first().waitFor({ timeout: 60000 });
  await page.getByTestId("confirm-action").waitFor({ state: "detached" });
  // The Event names who approved, on the rollout's page.
  await page.getByTestId("events").getByText("step 1 approved by approver").waitFor({ timeout: 15000 });
  await page.screenshot({ path: join(shots, "approver-approved.png"), fullPage: true });
  await signOut(page);
});

test("alice signs in through the OpenID provider's own page and signs out, there too", async () => {
  const page = await newPage();
  await page.goto(`${oidcURL}/rollouts?ns=${ns}`);
  await page.getByTestId("sign-in-page").waitFor();
  await page.screenshot({ path: join(shots, "sign-in-oidc.png"), fullPage: true });
  await page.getByTestId("oidc-sign-in").click();
  await page.locator("#username").fill(process.env.OIDC_USER ?? "alice");
  await page.locator("#password").fill(process.env.OIDC_PASSWORD ?? "");
  await page.getByRole("button", { name: "Login" }).click();
  await page.waitForURL((url) => url.origin === oidcURL && url.pathname === "/rollouts");
  await page.getByTestId("current-user").filter({ hasText: "alice" }).waitFor();
  await page.getByRole("link", { name: "shop" }).first().waitFor();
  await page.screenshot({ path: join(shots, "oidc-signed-in.png"), fullPage: true });
  // Sign-out ends the session at the provider too (RP-initiated logout): the browser lands on its
  // page, and the dashboard asks for a sign-in again.
  await page.getByTestId("sign-out").click();
  await page.waitForURL((url) => url.origin !== oidcURL && url.pathname === "/logged-out");
  await page.goto(`${oidcURL}/rollouts?ns=${ns}`);
  await page.getByTestId("sign-in-page").waitFor();
});
