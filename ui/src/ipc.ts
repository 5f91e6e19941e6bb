// The one module that talks to the Rust backend (the only importer of @tauri-apps/api), so
// tests can swap the backend for mockIPC. Every call rejects with an AppError.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AccountForm } from "./bindings/AccountForm";
import type { AppError } from "./bindings/AppError";
import type { AppSettings } from "./bindings/AppSettings";
import type { Commands } from "./bindings/Commands";
import type { LoginForm } from "./bindings/LoginForm";
import type { Overview } from "./bindings/Overview";

/** The event that brings a new overview. */
export const OVERVIEW_EVENT = "overview";

function asAppError(e: unknown): AppError {
  if (e && typeof e === "object" && "code" in e && "message" in e) return e as AppError;
  return {
    code: "invalid_input",
    message: typeof e === "string" ? e : "the app's backend did not answer",
    kind: null,
    api: null,
    certificate: null,
  };
}

/** A command's name, as the Rust side declares it (`bindings/Commands.ts`). */
export type Command = keyof Commands;

/** Calls `cmd` with its declared arguments and resolves to its declared answer: a misspelt
 * command, a missing argument or a wrong answer type does not type-check. */
export async function call<C extends Command>(
  cmd: C,
  ...args: Commands[C]["args"] extends Record<string, never> ? [] : [Commands[C]["args"]]
): Promise<Commands[C]["answer"]> {
  try {
    return await invoke<Commands[C]["answer"]>(cmd, args[0]);
  } catch (e) {
    throw asAppError(e);
  }
}

export const backend = {
  overview: () => call("get_overview"),
  account: (id: string) => call("get_account", { id }),
  add: (form: AccountForm) => call("add_account", { form }),
  discover: (form: AccountForm) => call("discover_oauth", { form }),
  cancelSignIn: () => call("cancel_sign_in"),
  openSignIn: () => call("open_sign_in"),
  copySignInCode: () => call("copy_sign_in_code"),
  edit: (id: string, form: AccountForm) => call("edit_account", { id, form }),
  remove: (id: string) => call("remove_account", { id }),
  login: (id: string, form: LoginForm) => call("login_account", { id, form }),
  refresh: (id: string) => call("refresh_account", { id }),
  copy: (id: string) => call("copy_token", { id }),
  copyHeader: (id: string) => call("copy_header", { id }),
  reveal: (id: string) => call("reveal_token", { id }),
  settings: () => call("get_settings"),
  saveSettings: (settings: AppSettings) => call("save_settings", { settings }),
  checkKeychain: () => call("check_keychain"),
  painted: () => call("ui_painted"),
};

/** Calls `handler` with every overview the backend pushes; resolves to a function that stops. */
export async function onOverview(handler: (o: Overview) => void): Promise<() => void> {
  return listen<Overview>(OVERVIEW_EVENT, (event) => handler(event.payload));
}
