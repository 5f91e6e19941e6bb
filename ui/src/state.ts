// The app's state in one place: the latest overview, the screen and the view on show, whom
// the notice is about, what the banners and the detail view last showed, what the list's filter
// and keyboard selection were (a list made again, back from the details, takes them up), the
// ids handed out. It changes only through the named functions below; each view keeps its own
// timers. Nothing typed into a form is kept here: a form's values live and die with its view.
import type { AccountRow } from "./bindings/AccountRow";
import type { Overview } from "./bindings/Overview";
import type { View } from "./view";

export type Screen = { kind: "list" } | { kind: "detail"; id: string } | { kind: "panel" };

export interface AppState {
  /** The latest overview (null until the first arrives). */
  overview: Overview | null;
  /** Why the backend could not start, once it could not: the list says it instead. */
  startError: string | null;
  screen: Screen;
  /** The view on the stage; the next one shown replaces it, and it is destroyed. */
  view: View | null;
  /** The account the notice is about: the notice goes when that account fails. */
  noticeAbout: string | null;
  /** What the banners say now (rebuilt only when it changes, so focus on Retry survives). */
  bannersShown: string;
  /** What the open detail view shows of its row (fetched again when that changes). */
  detailShown: string;
  /** The list's filter as last typed: a list made again starts with it. */
  filter: string;
  /** The account (its name) selected last in the list, by keyboard or focus: a list made again
   * selects it again. */
  selectedAccount: string | null;
  /** The last id handed out for label and aria wiring. */
  ids: number;
}

/** The banners depend on these only. */
export function bannersKey(o: Overview): string {
  return JSON.stringify([
    o.demo,
    o.background,
    o.keychain?.message ?? null,
    o.problem?.message ?? null,
  ]);
}

/** What the detail view shows of a row; when it changes, the view is fetched again. */
export function detailKey(row: AccountRow | undefined): string {
  return row
    ? JSON.stringify([
        row.status,
        row.refreshing,
        row.token_fingerprint,
        row.last_refresh,
        row.last_error?.at ?? null,
      ])
    : "";
}

export function createStore() {
  const state: AppState = {
    overview: null,
    startError: null,
    screen: { kind: "list" },
    view: null,
    noticeAbout: null,
    bannersShown: "",
    detailShown: "",
    filter: "",
    selectedAccount: null,
    ids: 0,
  };
  const row = (id: string) => state.overview?.accounts.find((a) => a.id === id);
  return {
    /** Read only: change it through the functions below. */
    state: state as Readonly<AppState>,

    row,

    /** The accounts' names (a new account may not take one). */
    names: (): string[] => state.overview?.accounts.map((a) => a.name) ?? [],

    overviewArrived(o: Overview): void {
      state.overview = o;
    },

    cannotStart(message: string): void {
      state.startError = message;
      state.bannersShown = "";
    },

    /** `view` goes on show as `screen`; returns the view it replaces, for the caller to destroy. */
    showing(view: View, screen: Screen): View | null {
      const previous = state.view;
      state.view = view;
      state.screen = screen;
      return previous === view ? null : previous;
    },

    /** The notice now says something about `about` (an account's name), or about nothing. */
    noticeSaid(about: string | null): void {
      state.noticeAbout = about;
    },

    /** Whether the notice speaks well of an account that now fails (it then goes). */
    noticeStale(o: Overview): boolean {
      if (state.noticeAbout === null) return false;
      const about = o.accounts.find((a) => a.name === state.noticeAbout);
      return about !== undefined && (about.status === "error" || about.status === "needs_login");
    },

    /** Whether the banners must be rebuilt for `o`; records what they will say. */
    bannersChange(o: Overview): boolean {
      const key = bannersKey(o);
      if (key === state.bannersShown) return false;
      state.bannersShown = key;
      return true;
    },

    /** The detail view now shows the account `id` as the overview has it. */
    detailShowing(id: string): void {
      state.detailShown = detailKey(row(id));
    },

    /** Whether the open detail view is behind its row in `o` (false when none is open). */
    detailStale(o: Overview): boolean {
      const screen = state.screen;
      if (screen.kind !== "detail") return false;
      return detailKey(o.accounts.find((a) => a.id === screen.id)) !== state.detailShown;
    },

    /** The list's filter now says `text` (typed, or cleared with Escape). */
    filterTyped(text: string): void {
      state.filter = text;
    },

    /** The list's selected account is now the one named `name` (null: none). */
    accountSelected(name: string | null): void {
      state.selectedAccount = name;
    },

    nextId(): number {
      state.ids += 1;
      return state.ids;
    },
  };
}

export type Store = ReturnType<typeof createStore>;

/** The app's one store. */
export const store = createStore();
