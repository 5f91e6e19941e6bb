// The window's commands are typed by the Rust list (src/bindings/Commands.ts, generated from
// tokenkeeper-app-core's `with_commands!`): `tsc --noEmit` (npm run build) checks the
// `@ts-expect-error` lines below, so a misspelt command, a missing or extra argument or a
// wrong answer type fails the build; the test itself checks the calls reach `invoke` as named.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import type { Commands } from "../../src/bindings/Commands";
import type { Overview } from "../../src/bindings/Overview";
import { backend, call } from "../../src/ipc";

describe("the declared commands", () => {
  afterEach(() => clearMocks());

  it("type every call by the Rust list", async () => {
    const seen: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      seen.push({ cmd, args });
      return null;
    });
    expectTypeOf(call<"get_overview">).returns.resolves.toEqualTypeOf<Overview>();
    expectTypeOf<Commands["remove_account"]["args"]>().toEqualTypeOf<{ id: string }>();
    // @ts-expect-error: no such command
    await call("get_overveiw").catch(() => undefined);
    // @ts-expect-error: its argument is missing
    await call("get_account").catch(() => undefined);
    // @ts-expect-error: an argument it does not take
    await call("get_overview", { id: "a1" }).catch(() => undefined);
    // @ts-expect-error: the argument's type is wrong
    await call("refresh_account", { id: 7 }).catch(() => undefined);
    await backend.refresh("a1");
    await backend.overview();
    expect(seen.map((s) => s.cmd)).toEqual([
      "get_overveiw",
      "get_account",
      "get_overview",
      "refresh_account",
      "refresh_account",
      "get_overview",
    ]);
    expect(seen[4]?.args).toEqual({ id: "a1" });
  });

  it("calls every declared command, through `backend` or a lazy screen's own call()", async () => {
    const seen: string[] = [];
    mockIPC((cmd) => {
      seen.push(cmd);
      return null;
    });
    for (const f of Object.values(backend) as ((...a: unknown[]) => Promise<unknown>)[]) {
      await f("a1", {}).catch(() => undefined);
    }
    const declared = [
      ...readFileSync(join(__dirname, "../../src/bindings/Commands.ts"), "utf8").matchAll(
        /^ {2}(\w+): \{ args: /gm,
      ),
    ].map((m) => m[1]);
    // Lazy screens call their own commands directly, so those stay out of the first script.
    const direct = sources(join(__dirname, "../../src"))
      .filter((f) => !f.endsWith("ipc.ts"))
      .flatMap((f) => [...readFileSync(f, "utf8").matchAll(/\bcall\("(\w+)"/g)].map((m) => m[1]));
    expect(declared.length).toBeGreaterThan(10);
    expect(direct).toContain("pin_account");
    expect([...new Set([...seen, ...direct])].sort()).toEqual([...declared].sort());
  });
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "bindings" ? [] : sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}
