// The list's three orders: name (the way people count), expiry (soonest first), status
// (problems first), and the choice remembered. Pure: tested with Vitest.
import type { AccountRow } from "./bindings/AccountRow";

export type SortBy = "name" | "expiry" | "status";

export const SORTS: readonly { id: SortBy; label: string }[] = [
  { id: "name", label: "Name" },
  { id: "expiry", label: "Expiry (soonest first)" },
  { id: "status", label: "Status (problems first)" },
];

/** Problems first: needs login, then failing, expired, expiring, fresh. */
const SEVERITY: Record<AccountRow["status"], number> = {
  needs_login: 0,
  error: 1,
  expired: 2,
  expiring: 3,
  fresh: 4,
};

const byName = (a: AccountRow, b: AccountRow) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: "base", numeric: true });

/** When the token stops working (a revoking API's next refresh comes before its expiry). */
const expiry = (r: AccountRow) => {
  const until = r.valid_until ?? r.expires_at;
  return until ? Date.parse(until) : Number.POSITIVE_INFINITY;
};

/** The rows in the chosen order (a new array; ties by name). */
export function sortRows(rows: readonly AccountRow[], by: SortBy): AccountRow[] {
  const sorted = [...rows];
  switch (by) {
    case "name":
      return sorted.sort(byName);
    case "expiry":
      return sorted.sort((a, b) => expiry(a) - expiry(b) || byName(a, b));
    case "status":
      return sorted.sort(
        (a, b) => SEVERITY[a.status] - SEVERITY[b.status] || expiry(a) - expiry(b) || byName(a, b),
      );
  }
}

const SORT_KEY = "tokenkeeper.sort";

/** The order chosen last (remembered in this window's storage), else by name. */
export function savedSort(storage: Pick<Storage, "getItem"> | undefined): SortBy {
  const saved = storage?.getItem(SORT_KEY);
  return SORTS.some((s) => s.id === saved) ? (saved as SortBy) : "name";
}

export function saveSort(storage: Pick<Storage, "setItem"> | undefined, by: SortBy): void {
  try {
    storage?.setItem(SORT_KEY, by);
  } catch {
    // Storage full or refused: the choice lasts this session only.
  }
}
