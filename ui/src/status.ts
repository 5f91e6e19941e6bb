// What an account's status looks like: a word, a colour tone and a symbol, so it reads with
// or without colour. Pure: tested with Vitest.
import type { AccountRow } from "./bindings/AccountRow";
import type { LastError } from "./bindings/LastError";

export type Tone = "ok" | "busy" | "warn" | "bad" | "muted";

export interface StatusLook {
  /** The word shown (and read by screen readers). */
  word: string;
  /** Colour tone (CSS class `tone-<tone>`). */
  tone: Tone;
  /** A symbol beside the word, so colour is never the only cue. */
  symbol: string;
  /** A sentence for the title attribute. */
  hint: string;
}

export function statusLook(row: Pick<AccountRow, "status" | "refreshing">): StatusLook {
  if (row.refreshing) {
    return { word: "refreshing", tone: "busy", symbol: "↻", hint: "A refresh is running now." };
  }
  switch (row.status) {
    case "fresh":
      return {
        word: "fresh",
        tone: "ok",
        symbol: "✓",
        hint: "Valid; refreshed before it expires.",
      };
    case "expiring":
      return {
        word: "expiring",
        tone: "warn",
        symbol: "◔",
        hint: "Within its refresh lead: a refresh is due.",
      };
    case "expired":
      return {
        word: "expired",
        tone: "bad",
        symbol: "✕",
        hint: "No valid token: Copy refreshes first.",
      };
    case "error":
      return {
        word: "error",
        tone: "bad",
        symbol: "!",
        hint: "The last refresh failed; it is retried.",
      };
    case "needs_login":
      return {
        word: "needs login",
        tone: "bad",
        symbol: "⇥",
        hint: "Log in again with a new password or token.",
      };
  }
}

/** The API's own words: "401 AUTHENTICATION_ERROR: Invalid token". */
export function errorWords(e: Pick<LastError, "status" | "code" | "message"> | null): string {
  if (!e) return "";
  const parts: string[] = [];
  if (e.status != null) parts.push(String(e.status));
  if (e.code) parts.push(`${e.code}:`);
  parts.push(e.message);
  return parts.join(" ");
}

/**
 * The next step for an error, in words. `tokenKept` says whether a token is still handed out:
 * after an unusable answer to a rotating refresh the server has most likely revoked the old
 * token, and TokenKeeper no longer hands it out (the row then has no token).
 */
export function nextStep(
  e: Pick<LastError, "kind" | "code" | "certificate"> | null,
  status: AccountRow["status"],
  tokenKept = true,
): string {
  if (!e) return "";
  if (status === "needs_login") return "Log in with a new password or token.";
  if (e.certificate)
    return "The server's certificate is not trusted: check it and trust it in Edit.";
  switch (e.kind) {
    case "transient":
      return "The API could not be reached or failed for now; TokenKeeper retries by itself.";
    case "config":
      return "Check the account's address and settings (Edit).";
    case "protocol":
      return tokenKept
        ? "The API answered something unusable; the current token is still handed out while it is valid."
        : "No token is handed out until a refresh or a login works; TokenKeeper tries again.";
    case "auth":
      return "The API refused the credentials.";
    default:
      return "";
  }
}
