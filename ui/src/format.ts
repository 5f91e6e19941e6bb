// Times as people read them: countdowns ("4m 12s"), relative times ("in 4m 12s", "3m ago"),
// local clock times to the second, and validity in minutes ("7m"). Pure: tested with Vitest.

/** A duration in whole seconds, as `1h 02m`, `4m 12s` or `42s`. */
export function duration(totalSecs: number): string {
  const s = Math.max(0, Math.floor(totalSecs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h >= 24) {
    const d = Math.floor(h / 24);
    return `${d}d ${h % 24}h`;
  }
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, "0")}s`;
  return `${sec}s`;
}

/** The countdown to an expiry: "4m 12s", "expired 3s ago", or "no token". */
export function countdown(expiresAt: string | null, nowMs: number): string {
  if (!expiresAt) return "no token";
  const left = Math.floor((Date.parse(expiresAt) - nowMs) / 1000);
  if (Number.isNaN(left)) return "unknown";
  if (left <= 0) return `expired ${duration(-left)} ago`;
  return duration(left);
}

/** "in 4m 12s" or "3m 05s ago". */
export function relative(at: string | null, nowMs: number): string {
  if (!at) return "—";
  const secs = Math.round((Date.parse(at) - nowMs) / 1000);
  if (Number.isNaN(secs)) return "—";
  if (Math.abs(secs) < 1) return "now";
  return secs > 0 ? `in ${duration(secs)}` : `${duration(-secs)} ago`;
}

/** Local time to the second, e.g. "14:03:27" today or "2026-12-01 14:03:27" another day. */
export function localTime(at: string | null, nowMs: number): string {
  if (!at) return "—";
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return "—";
  const pad = (n: number) => String(n).padStart(2, "0");
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date(nowMs);
  const sameDay =
    d.getFullYear() === today.getFullYear() &&
    d.getMonth() === today.getMonth() &&
    d.getDate() === today.getDate();
  return sameDay ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** How long a copied token stays valid, in words: "7m", "1h 5m", "45s". */
export function validFor(secs: number): string {
  const s = Math.max(0, Math.floor(secs));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** A claim value: times as local dates, the rest as JSON. */
export function claimValue(key: string, value: unknown, nowMs: number): string {
  if (typeof value === "number" && ["exp", "iat", "nbf", "auth_time"].includes(key)) {
    const d = new Date(value * 1000);
    // Out of a date's range (say, microseconds): show the number as it is.
    if (!Number.isFinite(d.getTime())) return String(value);
    const iso = d.toISOString();
    return `${localTime(iso, nowMs)} (${relative(iso, nowMs)})`;
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}
