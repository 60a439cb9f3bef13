import { useSyncExternalStore } from "react";

// The one clock every relative time on every page reads ("45s", "3m"): one interval for the whole
// app, running while something shows a relative time. A component subscribes with useNow, or with
// useClock and a function of the time (useAge), and re-renders only when what it shows changes,
// so a table of ages costs a few string comparisons a second, and no request.

/** How often the clock ticks: the smallest unit an age is shown in. */
export const TICK_MS = 1000;

type Listener = () => void;

/** A clock that ticks while it has listeners (one interval for all of them). */
export class Clock {
  private listeners = new Set<Listener>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private time: number;

  constructor(
    private readonly read: () => number = () => Date.now(),
    private readonly tickMs = TICK_MS,
  ) {
    this.time = read();
  }

  /**
   * The time of the last tick (ms since the epoch): the same for every reader between ticks; read
   * afresh while nothing listens (the first render of a page with ages is already right).
   */
  readonly now = () => {
    if (this.timer === undefined) this.time = this.read();
    return this.time;
  };

  readonly subscribe = (listener: Listener) => {
    if (this.listeners.size === 0) {
      this.time = this.read();
      this.timer = setInterval(this.tick, this.tickMs);
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  };

  /** Reads the time and tells every listener (the interval calls it; tests may too). */
  readonly tick = () => {
    this.time = this.read();
    this.listeners.forEach((l) => l());
  };

  /** Whether the interval runs (tests). */
  get running(): boolean {
    return this.timer !== undefined;
  }
}

/** The app's clock. */
export const clock = new Clock();

/**
 * A value computed from the clock's time, recomputed every tick; the component re-renders only
 * when it changes (so derive must return a string, number or other value compared by identity).
 */
export function useClock<T>(derive: (now: number) => T, c: Clock = clock): T {
  const read = () => derive(c.now());
  return useSyncExternalStore(c.subscribe, read, read);
}

/** The clock's time, re-rendering every tick. */
export const useNow = (c: Clock = clock) => useClock((now) => now, c);
