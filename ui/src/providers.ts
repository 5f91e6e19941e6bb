// What the add form needs to know about each API: its usual address and port, what it logs in
// with, and which kinds of secret it accepts. Mirrors the core's rules (tokenkeeper-core
// `keeper::check_secret`), which run again when the form is saved.
import type { ProviderKind } from "./bindings/ProviderKind";
import type { SecretKind } from "./bindings/SecretKind";

export interface ProviderInfo {
  id: ProviderKind;
  label: string;
  /** An example base URL with the API's usual port. */
  exampleUrl: string;
  /** The port the API usually listens on (https). */
  defaultPort: number;
  /** What the user name is called by this API, when it has a login. */
  usernameLabel: string | null;
  /** Accepted secrets, the first being the usual one. */
  secrets: SecretKind[];
  /** Redis Enterprise lets the client ask for a token lifetime. */
  hasTtl: boolean;
}

export const PROVIDERS: readonly ProviderInfo[] = [
  {
    id: "redis-enterprise",
    label: "Redis Enterprise Software",
    exampleUrl: "https://cluster.example.com:9443",
    defaultPort: 9443,
    usernameLabel: "User name or email",
    secrets: ["password", "access_token"],
    hasTtl: true,
  },
  {
    id: "ece",
    label: "Elastic Cloud Enterprise",
    exampleUrl: "https://coordinator.example.com:12443",
    defaultPort: 12443,
    usernameLabel: "User name",
    secrets: ["password", "access_token"],
    hasTtl: false,
  },
  {
    id: "smartling",
    label: "Smartling",
    exampleUrl: "https://api.smartling.com",
    defaultPort: 443,
    usernameLabel: "User identifier",
    secrets: ["password", "refresh_token"],
    hasTtl: false,
  },
  {
    id: "generic-jwt",
    label: "JWT service (/api/v1/authenticate)",
    exampleUrl: "https://auth.example.com",
    defaultPort: 443,
    // The real service logs in too (docs/API-EVIDENCE.md): with a password an account outlives
    // its refresh token's 7 days.
    usernameLabel: "User name",
    secrets: ["password", "refresh_token"],
    hasTtl: false,
  },
  {
    id: "jwt-auth-pro",
    label: "WordPress JWT Auth Pro",
    exampleUrl: "https://blog.example.com",
    defaultPort: 443,
    usernameLabel: "User name or email",
    secrets: ["password", "refresh_token"],
    hasTtl: false,
  },
];

export function provider(id: ProviderKind): ProviderInfo {
  const found = PROVIDERS.find((p) => p.id === id);
  if (!found) throw new Error(`unknown provider ${id}`);
  return found;
}

export function secretLabel(kind: SecretKind, p: ProviderInfo): string {
  switch (kind) {
    case "password":
      return p.id === "smartling" ? "User secret" : "Password";
    case "refresh_token":
      return "Refresh token";
    case "access_token":
      return "Current access token";
  }
}
