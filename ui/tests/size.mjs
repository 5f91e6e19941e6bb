// The first script's size: what index.html loads before the list can paint (its entry module
// and the modules it preloads). The other views are loaded on first use, so they do not count.
// Run after `npm run build`. The budget is the size when the views became lazy (20,755 bytes,
// 7,822 gzipped) plus about 1 kB: the window opens many times a day and its cold start counts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 21_800;
const BUDGET_GZIP = 8_850;

const dist = join(import.meta.dirname, "..", "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const first = [
  ...html.matchAll(/<script[^>]+src="\/?([^"]+\.js)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/?([^"]+\.js)"/g),
].map((m) => m[1]);
if (first.length === 0) {
  console.error("size: no script in dist/index.html (run `npm run build` first)");
  process.exit(1);
}
const bytes = first.map((f) => readFileSync(join(dist, f)));
const raw = bytes.reduce((sum, b) => sum + b.length, 0);
const gz = bytes.reduce((sum, b) => sum + gzipSync(b).length, 0);
const ok = raw <= BUDGET_BYTES && gz <= BUDGET_GZIP;
console.log(
  `size: the first script (${first.join(", ")}) is ${raw} bytes, ${gz} gzipped; ` +
    `budget ${BUDGET_BYTES} and ${BUDGET_GZIP}: ${ok ? "ok" : "OVER"}`,
);
process.exit(ok ? 0 : 1);
