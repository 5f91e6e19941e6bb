// Finding an account among many: every word typed must appear in the name, the API, the host,
// the status or a tag. Pure: tested with Vitest; loaded with the filter field, after the first paint.
import type { AccountRow } from "./bindings/AccountRow";
import { provider } from "./providers";
import { statusLook } from "./status";

/** What a row can be found by, lower-cased. */
function haystack(row: AccountRow): string {
  let host = "";
  try {
    host = new URL(row.url).host;
  } catch {
    host = row.url;
  }
  return [
    row.name,
    row.provider,
    provider(row.provider).label,
    host,
    row.status,
    statusLook(row).word,
    ...row.tags,
  ]
    .join("\n")
    .toLowerCase();
}

/** Whether `row` matches `query`: every word in it appears in the name, API, host or status. */
export function matches(row: AccountRow, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = haystack(row);
  return words.every((w) => text.includes(w));
}
