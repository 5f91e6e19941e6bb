// What the add form needs to know about each API: its usual address and port, what it logs in
// with, and which kinds of secret it accepts. The data is the core's own table
// (tokenkeeper-core `capabilities`, generated into bindings/Providers.ts), so the form offers
// exactly what the core accepts when the form is saved; here it only gets camel-case names.
import type { Credential } from "./bindings/Credential";
import type { ProviderKind } from "./bindings/ProviderKind";
import { PROVIDERS as TABLE } from "./bindings/Providers";

export interface ProviderInfo {
  id: ProviderKind;
  label: string;
  /** An example base URL with the API's usual port. */
  exampleUrl: string;
  /** The port the API usually listens on (https). */
  defaultPort: number;
  /** What the user name is called by this API. */
  usernameLabel: string;
  /** What the password is called by this API (Smartling: "User secret"). */
  passwordLabel: string;
  /** Accepted secrets, the first being the usual one. */
  secrets: readonly Credential[];
  /** The client may ask for a token lifetime (Redis Enterprise). */
  hasTtl: boolean;
}

export const PROVIDERS: readonly ProviderInfo[] = TABLE.map((c) => ({
  id: c.provider,
  label: c.label,
  exampleUrl: c.example_url,
  defaultPort: c.default_port,
  usernameLabel: c.username_label,
  passwordLabel: c.password_label,
  secrets: c.credentials,
  hasTtl: c.requested_ttl,
}));

/** The secrets typed in for an API (a sign-in is no typed secret: the OAuth 2.0 form and Log
 * in start it). */
export function typedSecrets(p: ProviderInfo): readonly Credential[] {
  return p.secrets.filter((k) => k !== "sign_in");
}

export function provider(id: ProviderKind): ProviderInfo {
  const found = PROVIDERS.find((p) => p.id === id);
  if (!found) throw new Error(`unknown provider ${id}`);
  return found;
}

export function secretLabel(kind: Credential, p: ProviderInfo): string {
  switch (kind) {
    case "password":
      return p.passwordLabel;
    case "refresh_token":
      return "Refresh token";
    case "access_token":
      return "Current access token";
    case "sign_in":
      return "Sign in in the browser";
  }
}
