// What a server presented, as the add form's certificate prompt and the detail view show it:
// subject, issuer, validity, SHA-256 fingerprint and whether it is self-signed.
import type { CertificateProblem } from "../bindings/CertificateProblem";
import type { PresentedCertificate } from "../bindings/PresentedCertificate";
import { h } from "../dom";
import { localTime } from "../format";

export function certificateFacts(cert: PresentedCertificate, now: number): HTMLElement {
  const row = (label: string, value: string, field: string) =>
    h(
      "div",
      {},
      h("dt", { text: label }),
      h("dd", { text: value, attrs: { "data-field": field } }),
    );
  return h(
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
