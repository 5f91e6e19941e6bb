// Whether a form has changes: what its fields hold now against what they held when it opened.
// The forms ask before Escape or Cancel throws changes away, and close at once without any.
// Pure: tested with Vitest. The values compared live and die with the form's view.

/** The fields whose value differs from when the form opened. */
export function changedFields<T extends object>(initial: T, now: T): (keyof T)[] {
  const keys = new Set([...Object.keys(initial), ...Object.keys(now)] as (keyof T)[]);
  return [...keys].filter((key) => initial[key] !== now[key]);
}

/** Whether anything differs from when the form opened (typing a value back undoes a change). */
export function hasChanges<T extends object>(initial: T, now: T): boolean {
  return changedFields(initial, now).length > 0;
}
