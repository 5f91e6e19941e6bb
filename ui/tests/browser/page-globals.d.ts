// What the browser tests (ui.test.mjs) themselves put in the page, typed for their type check;
// the mock backend's own (`__calls`, `__push`, ...) are in mock-backend.ts.
export {};

declare global {
  interface Window {
    /** How many intervals, long timeouts and visibilitychange listeners are alive. */
    __live: () => { intervals: number; timeouts: number; visibility: number };
    /** How many rows the list's grid lost (a moved row leaves and comes back). */
    __removed: number;
  }
}
