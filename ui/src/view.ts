// The contract every screen in views/ keeps: a function builds it and returns its element and
// a destroy() that releases what it holds (timers, listeners, observers), plus update() when it
// follows the backend's overview and escape() when it holds typed input. main.ts shows one view
// at a time and always destroys the one it replaces. Types only: nothing here is bundled.
import type { Overview } from "./bindings/Overview";

export interface View {
  /** The view's root element; main.ts puts it on the stage. */
  readonly element: HTMLElement;
  /** Releases the view's timers, listeners and observers; called once, when it is replaced. */
  destroy(): void;
  /** A new overview from the backend (views that follow it: the list). */
  update?(overview: Overview): void;
  /** Escape (Cancel does the same): leaves at once when nothing was typed, asks first when
   * something was. Views without it are left at once. */
  escape?(): void;
}
