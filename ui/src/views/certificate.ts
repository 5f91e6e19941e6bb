// What a server presented, as the add form's certificate prompt and the detail view show it:
// subject, issuer, validity, SHA-256 fingerprint and whether it is self-signed. A view that
// holds nothing: its destroy() has nothing to release. Also the add form's prompt to trust it.
import type { CertificateProblem } from "../bindings/CertificateProblem";
import type { PresentedCertificate } from "../bindings/PresentedCertificate";
import { h } from "../dom";
import { localTime } from "../format";
import type { View } from "../view";

export function certificateView(cert: PresentedCertificate, now: number): View {
  const row = (label: string, value: string, field: string) =>
    h(
      "div",
      {},
      h("dt", { text: label }),
      h("dd", { text: value, attrs: { "data-field": field } }),
    );
  const element = h(
    "dl",
    { class: "cert-facts" },
    row("Subject", cert.subject, "cert-subject"),
    row("Issuer", cert.issuer, "cert-issuer"),
    row("Valid from", localTime(cert.not_before, now), "cert-not-before"),
    row("Valid until", localTime(cert.not_after, now), "cert-not-after"),
    row("Self-signed", cert.self_signed ? "yes" : "no", "cert-self-signed"),
    row("Names", cert.names.length ? cert.names.join(", ") : "—", "cert-names"),
    row("SHA-256", cert.sha256, "cert-sha256"),
  );
  return { element, destroy: () => undefined };
}

export function problemTitle(p: CertificateProblem): string {
  switch (p.kind) {
    case "untrusted":
      return `${p.host} presented a certificate that is not trusted`;
    case "expired":
      return `${p.host} presented an expired certificate`;
    case "not_yet_valid":
      return `${p.host} presented a certificate that is not valid yet`;
    case "wrong_host":
      return `${p.host} presented a certificate issued for other names`;
    case "pin_changed":
      return `${p.host} presented a different certificate than the one you trusted`;
    case "invalid":
      return `${p.host} presented an invalid certificate`;
  }
}

/** The add form's prompt for a certificate the server presented: what it is, and Trust this
 * certificate or Use a CA file instead (the form's click listener takes both). */
export function certificatePrompt(problem: CertificateProblem, now: number): View {
  const leaf = problem.presented[0];
  const element = h(
    "div",
    {},
    h("h3", { text: problemTitle(problem) }),
    h("p", {
      text: "Compare the fingerprint with what your administrator gave you (or with `openssl x509 -noout -fingerprint -sha256`). Trust it only if they match.",
    }),
    problem.pinned
      ? h("p", {
          class: "warn",
          text: `You trusted ${problem.pinned}; the server now presents another certificate (renewed, or someone in between).`,
        })
      : null,
    leaf ? certificateView(leaf, now).element : null,
    h(
      "div",
      { class: "actions" },
      h("button", {
        class: "primary",
        text: "Trust this certificate",
        attrs: { type: "button", "data-action": "trust-cert", disabled: !leaf },
      }),
      h("button", {
        text: "Use a CA file instead",
        attrs: { type: "button", "data-action": "use-ca-file" },
      }),
    ),
  );
  return { element, destroy: () => undefined };
}
