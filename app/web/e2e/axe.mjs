// Accessibility check for the browser tests: runs axe-core (the devDependency's own build) in the
// page and fails on any violation of serious or critical impact, listing each with its elements.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The impacts that fail a test. */
export const FAILING = ["serious", "critical"];

/**
 * Checks the page as it is now; name says which page (and theme) in the failure message. The
 * script is evaluated through the DevTools protocol, so the dashboard's Content-Security-Policy
 * (script-src 'self') does not stop it. options.context (a CSS selector) limits the check to part
 * of the page (an open dialog, when the page behind it was checked already). Returns axe's result
 * for the caller's own checks.
 */
export async function checkA11y(page, name, options = {}) {
  // Let antd's motion (fades, ripples) finish: a half-faded element has a contrast it never keeps.
  await page.waitForTimeout(options.settleMs ?? 400);
  const loaded = await page.evaluate(() => typeof window.axe === "object");
  if (!loaded) await page.evaluate(axeSource);
  const result = await page.evaluate(async ([context, runOptions]) => {
    const r = await window.axe.run(context ?? document, runOptions);
    return {
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 200), summary: n.failureSummary ?? "" })),
      })),
      passes: r.passes.length,
    };
  }, [options.context ?? null, { resultTypes: ["violations"], ...(options.run ?? {}) }]);
  const failing = result.violations.filter((v) => FAILING.includes(v.impact));
  if (failing.length > 0) {
    const lines = failing.map(
      (v) =>
        `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes
          .slice(0, 8)
          .map((n) => `      ${n.target}\n        ${n.html}\n        ${n.summary.replace(/\s*\n\s*/g, " | ")}`)
          .join("\n"),
    );
    throw new Error(`${name}: ${failing.length} serious or critical accessibility violation(s):\n${lines.join("\n")}`);
  }
  return result;
}

/** One h1 on the page (WCAG: a page is named by its one top heading). */
export async function checkOneH1(page, name) {
  const n = await page.locator("h1").count();
  if (n !== 1) throw new Error(`${name}: ${n} h1 elements, want exactly 1`);
}
