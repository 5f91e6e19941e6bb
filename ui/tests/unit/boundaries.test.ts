// Rules about the code itself: one module talks to the backend, the bundle and the first script
// stay small, and nothing parses backend text as markup.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe("code boundaries", () => {
  const sources = files(join(root, "src")).filter((f) => f.endsWith(".ts"));

  it("has only ipc.ts import @tauri-apps/api", () => {
    const importers = sources
      .filter((f) => /from\s+["']@tauri-apps\/api/.test(readFileSync(f, "utf8")))
      .map((f) => f.slice(root.length + 1));
    expect(importers).toEqual(["src/ipc.ts"]);
  });

  it("never uses innerHTML, outerHTML, insertAdjacentHTML or eval", () => {
    for (const f of sources.filter((f) => !f.includes("/bindings/"))) {
      expect(readFileSync(f, "utf8"), f).not.toMatch(
        /innerHTML|outerHTML|insertAdjacentHTML|\beval\(|new Function\(/,
      );
    }
  });

  it("keeps the built bundle under 100 kB gzipped", () => {
    const dist = join(root, "dist");
    const built = files(dist).filter((f) => /\.(js|css|html)$/.test(f));
    expect(built.length, "run `npm run build` first").toBeGreaterThan(1);
    const gz = built.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0);
    expect(gz).toBeLessThan(100 * 1024);
  });

  it("keeps the first script within its budget (tests/size.mjs)", () => {
    // Throws, with what it printed, when over.
    const said = execFileSync(process.execPath, [join(root, "tests", "size.mjs")], {
      encoding: "utf8",
    });
    expect(said).toMatch(/: ok$/m);
  });
});
