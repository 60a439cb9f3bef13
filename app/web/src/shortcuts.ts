// Keyboard shortcuts (WCAG 2.1.4, character key shortcuts): "/" focuses the search box, "g i" the
// inbox, "g o" the fleet overview, "?" lists them. Never while typing in a field, never with Ctrl,
// Alt or Meta, and one switch (kept in localStorage) turns them all off.

export type ShortcutAction = "search" | "inbox" | "fleet" | "help";

export const SHORTCUTS_KEY = "kd.shortcuts";

/** How long after "g" the second key may come. */
export const SEQUENCE_MS = 1500;

/** The shortcuts as the list shows them. */
export const SHORTCUTS: { keys: string[]; action: ShortcutAction }[] = [
  { keys: ["/"], action: "search" },
  { keys: ["g", "i"], action: "inbox" },
  { keys: ["g", "o"], action: "fleet" },
  { keys: ["?"], action: "help" },
];

/** What a key event needs to be judged. */
export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  isComposing?: boolean;
  target?: unknown;
}

interface ElementLike {
  tagName?: string;
  isContentEditable?: boolean;
  getAttribute?: (name: string) => string | null;
}

/** Whether the key goes to something the person types in (an input, textarea, select, editable or text box). */
export function isTyping(target: unknown): boolean {
  const el = target as ElementLike | null | undefined;
  if (!el || typeof el !== "object") return false;
  const tag = (el.tagName ?? "").toUpperCase();
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return true;
  if (el.isContentEditable) return true;
  const role = el.getAttribute?.("role");
  return role === "textbox" || role === "combobox" || role === "searchbox";
}

/** Reads key events one by one and says which shortcut, if any, they make. */
export class ShortcutKeys {
  private g = -Infinity;

  /** The action of this key (with the one before it), or undefined. */
  handle(e: KeyLike, now: number): ShortcutAction | undefined {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing || isTyping(e.target)) {
      this.g = -Infinity;
      return undefined;
    }
    const afterG = now - this.g <= SEQUENCE_MS;
    this.g = -Infinity;
    if (afterG && e.key === "i") return "inbox";
    if (afterG && e.key === "o") return "fleet";
    if (e.key === "g") {
      this.g = now;
      return undefined;
    }
    if (e.key === "/") return "search";
    if (e.key === "?") return "help";
    return undefined;
  }
}

/** Whether the shortcuts are on (the default) in this storage. */
export const shortcutsOn = (storage: Pick<Storage, "getItem"> | undefined) => storage?.getItem(SHORTCUTS_KEY) !== "0";
