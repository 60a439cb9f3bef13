import { useEffect, type RefObject } from "react";
import { useLocation } from "react-router-dom";

// Where keyboard focus goes when the page under it changes (WCAG 2.4.3): to the new page's h1 after
// a navigation, to the page's h1 when the focused element goes away (a button that vanished after
// its action, a dialog closed whose opener is gone), and to the content from the skip link.

/** The path whose h1 was last focused (or the first path loaded, which is not: the reader starts at the top). */
let handledPath: string | undefined;

/** The page's h1 (or, without one, the main content). */
function pageStart(): HTMLElement | null {
  return document.querySelector<HTMLElement>("main h1") ?? document.querySelector<HTMLElement>("main");
}

/** Moves focus to the start of the content: the page's h1. */
export function focusContent(options?: FocusOptions) {
  const el = pageStart();
  if (!el) return;
  if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
  el.focus(options);
}

/**
 * Focuses the h1 (ref) when the page's path changed since the last h1 was focused: a new page,
 * however it was reached. Not on the first page loaded, nor when only the query changes (a search,
 * a tab, the namespace).
 */
export function useFocusOnNavigation(ref: RefObject<HTMLElement | null>) {
  const { pathname } = useLocation();
  useEffect(() => {
    if (handledPath === pathname) return;
    const first = handledPath === undefined;
    handledPath = pathname;
    if (!first) ref.current?.focus();
  }, [pathname, ref]);
}

/**
 * Watches the focused element: when it leaves the document with focus (the browser then puts focus
 * on <body>), focus goes to the page's h1 instead, so a keyboard or screen-reader user is not sent
 * back to the top of the document.
 */
export function useFocusRescue() {
  useEffect(() => {
    let last: Element | null = null;
    const onFocusIn = (e: FocusEvent) => {
      last = e.target instanceof Element ? e.target : null;
    };
    const check = () => {
      if (last && !last.isConnected && (document.activeElement === document.body || document.activeElement === null)) {
        last = null;
        focusContent({ preventScroll: true });
      }
    };
    document.addEventListener("focusin", onFocusIn);
    const observer = new MutationObserver(check);
    observer.observe(document.body, { childList: true, subtree: true });
    return () => {
      document.removeEventListener("focusin", onFocusIn);
      observer.disconnect();
    };
  }, []);
}
