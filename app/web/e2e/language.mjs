// The zh-CN check of the browser tests: no Latin-script word in the page's text but the values
// shown as they are (elements marked translate="no": names, images, YAML, commands; ARCHITECTURE.md,
// The web UI) and the few terms Chinese Kubernetes documentation keeps in Latin script.

/** Words a Chinese page may show in Latin script: names of products and APIs, and abbreviations. */
export const LATIN_TERMS = ["Kruise", "Kubernetes", "Pod", "CPU", "YAML", "API", "ID", "Token", "Bearer", "OpenID", "Connect", "Rollout", "kubectl"];

/**
 * Fails when the page (as it is now) shows a Latin-script word outside translate="no" and the
 * terms above: in visible text, and in the names of its controls (their aria-label, placeholder
 * and title, and the names of the icons in them), where a name the page shows marked is also
 * allowed (a button's label "Pod web-0 的日志" names the pod of its row).
 */
export async function checkChinese(page, name) {
  const found = await page.evaluate((terms) => {
    const allowed = new Set(terms);
    const out = [];
    const where = (el) => {
      const parts = [];
      for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
        const id = e.getAttribute("data-testid");
        parts.unshift(e.tagName.toLowerCase() + (id ? `[data-testid=${id}]` : e.classList[0] ? `.${e.classList[0]}` : ""));
      }
      return parts.join(" > ");
    };
    const raw = (el) => el.closest('[translate="no"], script, style, noscript, svg') !== null;
    const visible = (el) => el.checkVisibility({ visibilityProperty: true, opacityProperty: true });
    const check = (text, el, what, names = new Set()) => {
      for (const w of text.match(/[A-Za-z]+/g) ?? []) if (!allowed.has(w) && !names.has(w)) out.push(`${what} "${w}" in ${JSON.stringify(text.trim().slice(0, 100))} at ${where(el)}`);
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (el && !raw(el) && visible(el)) check(n.textContent ?? "", el, "text");
    }
    const names = new Set([...document.querySelectorAll('[translate="no"]')].flatMap((el) => el.textContent?.match(/[A-Za-z]+/g) ?? []));
    // The names of controls: their own labels, and those of the icons they are named by.
    const controls = 'a[href], button, input, select, textarea, [role="button"], [role="link"], [role="checkbox"], [role="switch"], [role="tab"], [role="menuitem"], [role="combobox"]';
    const hidden = (el) => el.closest('[aria-hidden="true"]') !== null;
    for (const el of document.body.querySelectorAll(controls)) {
      if (raw(el) || hidden(el) || !visible(el)) continue;
      for (const a of ["aria-label", "placeholder", "title"]) {
        const v = el.getAttribute(a);
        if (v) check(v, el, a, names);
      }
      // Without a label of its own, a control is named by its content: its icons' names too.
      if (el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby")) continue;
      for (const icon of el.querySelectorAll('[role="img"][aria-label]')) if (!hidden(icon)) check(icon.getAttribute("aria-label"), icon, "icon name", names);
    }
    return out;
  }, LATIN_TERMS);
  if (found.length > 0) throw new Error(`${name}: ${found.length} Latin-script word(s) on a zh-CN page outside translate="no":\n  ${[...new Set(found)].slice(0, 40).join("\n  ")}`);
}
