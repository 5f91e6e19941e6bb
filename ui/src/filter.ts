// Finding an account among many: every word typed must appear in the name, the API, the host,
// the status or a tag; a word written `#prod` must be one of the account's tags, exactly (so
// it does not also find smartling-prod). Pure: tested with Vitest; loaded with the filter
// field, after the first paint.
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

/** Whether `row` matches `query`: every word in it appears in the name, API, host, status or
 * tags, and every `#tag` is one of its tags. */
export function matches(row: AccountRow, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = haystack(row);
  const tags = row.tags.map((t) => t.toLowerCase());
  return words.every((w) =>
    w.startsWith("#") && w.length > 1 ? tags.includes(w.slice(1)) : text.includes(w),
  );
}
