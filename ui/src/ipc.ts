// The one module that talks to the Rust backend (the only importer of @tauri-apps/api), so
// tests can swap the backend for mockIPC. Every call rejects with an AppError.
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { AccountForm } from "./bindings/AccountForm";
import type { AccountInfo } from "./bindings/AccountInfo";
import type { AccountView } from "./bindings/AccountView";
import type { AppError } from "./bindings/AppError";
import type { AppSettings } from "./bindings/AppSettings";
import type { Copied } from "./bindings/Copied";
import type { LoginForm } from "./bindings/LoginForm";
import type { Overview } from "./bindings/Overview";
import type { Revealed } from "./bindings/Revealed";

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

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asAppError(e);
  }
}

export const backend = {
  overview: () => call<Overview>("get_overview"),
  account: (id: string) => call<AccountInfo>("get_account", { id }),
  add: (form: AccountForm) => call<AccountView>("add_account", { form }),
  edit: (id: string, form: AccountForm) => call<AccountView>("edit_account", { id, form }),
  remove: (id: string) => call<null>("remove_account", { id }),
  login: (id: string, form: LoginForm) => call<AccountView>("login_account", { id, form }),
  refresh: (id: string) => call<null>("refresh_account", { id }),
  copy: (id: string) => call<Copied>("copy_token", { id }),
  reveal: (id: string) => call<Revealed>("reveal_token", { id }),
  settings: () => call<AppSettings>("get_settings"),
  saveSettings: (settings: AppSettings) => call<AppSettings>("save_settings", { settings }),
  checkKeychain: () => call<AppError | null>("check_keychain"),
  painted: () => call<null>("ui_painted"),
};

/** Calls `handler` with every overview the backend pushes; resolves to a function that stops. */
export async function onOverview(handler: (o: Overview) => void): Promise<() => void> {
  return listen<Overview>(OVERVIEW_EVENT, (event) => handler(event.payload));
}
