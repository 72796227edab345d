// The Connections panel's form and words, as pure functions: which fields a kind asks for,
// the connection a filled form describes, and how a pull and a schedule read.
import type { Connection } from "../bindings/Connection";
import type { ConnectionKind } from "../bindings/ConnectionKind";
import type { KindInfo } from "../bindings/KindInfo";
import type { NewConnection } from "../bindings/NewConnection";
import type { Pull } from "../bindings/Pull";

export interface ConnectionForm {
  name: string;
  kind: ConnectionKind;
  baseUrl: string;
  merchantId: string;
  clientId: string;
  tokenUrl: string;
  scope: string;
  productsPath: string;
  /** YYYY-MM-DD, or empty: 90 days back. */
  since: string;
  /** "" (only when asked), or an interval: "15m", "1h", "6h", "1d". */
  every: string;
  secret: string;
}

export const EVERY_CHOICES: { value: string; label: string }[] = [
  { value: "", label: "Only when I pull" },
  { value: "15m", label: "Every 15 minutes" },
  { value: "1h", label: "Every hour" },
  { value: "6h", label: "Every 6 hours" },
  { value: "1d", label: "Every day" },
];

export type Field = "merchantId" | "clientId" | "tokenUrl" | "scope" | "productsPath";

/** The fields a kind asks for beyond name, address, secret, start and schedule. */
export function fieldsOf(kind: ConnectionKind): Field[] {
  switch (kind) {
    case "logitrail":
      return ["merchantId"];
    case "logitrail-oauth":
      return ["merchantId", "clientId", "tokenUrl", "scope", "productsPath"];
    case "shiphero":
      return [];
  }
}

export function emptyForm(kind: KindInfo): ConnectionForm {
  return {
    name: "",
    kind: kind.kind,
    baseUrl: kind.default_base_url,
    merchantId: "",
    clientId: "",
    tokenUrl: kind.default_token_url ?? "",
    scope: "",
    productsPath: "",
    since: "",
    every: "",
    secret: "",
  };
}

/**
 * The form after the kind changed: addresses the user had not changed follow the new kind's
 * defaults; what they typed stays.
 */
export function withKind(form: ConnectionForm, from: KindInfo, to: KindInfo): ConnectionForm {
  return {
    ...form,
    kind: to.kind,
    baseUrl: form.baseUrl === from.default_base_url ? to.default_base_url : form.baseUrl,
    tokenUrl:
      form.tokenUrl === (from.default_token_url ?? "")
        ? (to.default_token_url ?? "")
        : form.tokenUrl,
  };
}

function minutesToEvery(m: number | null): string {
  if (m === null) return "";
  if (m % 1440 === 0) return `${m / 1440}d`;
  if (m % 60 === 0) return `${m / 60}h`;
  return `${m}m`;
}

/** The form to edit `c` with (its secret is not shown: left empty, it stays). */
export function formOf(c: Connection): ConnectionForm {
  return {
    name: c.name,
    kind: c.kind,
    baseUrl: c.base_url,
    merchantId: c.merchant_id ?? "",
    clientId: c.client_id ?? "",
    tokenUrl: c.token_url ?? "",
    scope: c.scope ?? "",
    productsPath: c.products_path ?? "",
    since: c.since.slice(0, 10),
    every: minutesToEvery(c.every_minutes),
    secret: "",
  };
}

const given = (s: string): string | null => (s.trim() === "" ? null : s.trim());

/** The connection the form describes, with only the fields its kind asks for. */
export function toNewConnection(f: ConnectionForm): NewConnection {
  const asks = new Set(fieldsOf(f.kind));
  const field = (k: Field, v: string) => (asks.has(k) ? given(v) : null);
  return {
    name: f.name.trim(),
    kind: f.kind,
    base_url: given(f.baseUrl),
    merchant_id: field("merchantId", f.merchantId),
    client_id: field("clientId", f.clientId),
    token_url: field("tokenUrl", f.tokenUrl),
    scope: field("scope", f.scope),
    products_path: field("productsPath", f.productsPath),
    since: given(f.since),
    every: given(f.every),
  };
}

/** What keeps the form from being saved, in words; null when it can be. */
export function formProblem(f: ConnectionForm, kind: KindInfo, editing: boolean): string | null {
  if (!f.name.trim()) return "Give the connection a name.";
  if (!/^https?:\/\/\S+$/.test(f.baseUrl.trim())) return "The base URL must start with https://";
  const asks = fieldsOf(f.kind);
  if (asks.includes("merchantId") && !f.merchantId.trim()) return "Give the merchant id.";
  if (asks.includes("clientId") && !f.clientId.trim()) return "Give the client id.";
  if (!editing && !f.secret.trim()) return `Give the ${kind.secret_name}.`;
  return null;
}

const n = (v: number) => v.toLocaleString("en-US");

/** "412 new, 88 updated, 0 errors" — and what was already there, when anything was. */
export function pullCounts(p: Pull): string {
  const parts = [`${n(p.new)} new`, `${n(p.updated)} updated`, `${n(p.failed)} errors`];
  if (p.existing > 0) parts.splice(1, 0, `${n(p.existing)} already in the store`);
  return parts.join(", ");
}

/** One line for a pull: how it ended, and its counts. */
export function pullOutcome(p: Pull): string {
  switch (p.status) {
    case "queued":
    case "running":
      return `Pulling: ${n(p.records)} records in ${n(p.pages)} pages so far`;
    case "success":
      return `Pulled ${pullCounts(p)}`;
    case "cancelled":
      return `Stopped: kept ${pullCounts(p)} from ${n(p.pages)} whole pages`;
    case "interrupted":
      return `Interrupted: kept ${pullCounts(p)}; the next pull goes on from there`;
    case "failed":
      return `Failed: ${p.error ?? "unknown error"}${p.pages > 0 ? ` (kept ${pullCounts(p)})` : ""}`;
  }
}

/** "every 15 minutes" / "every 6 hours" / "only when pulled". */
export function scheduleText(c: Connection): string {
  const m = c.every_minutes;
  if (m === null) return "only when pulled";
  if (m % 1440 === 0) return m === 1440 ? "every day" : `every ${m / 1440} days`;
  if (m % 60 === 0) return m === 60 ? "every hour" : `every ${m / 60} hours`;
  return m === 1 ? "every minute" : `every ${m} minutes`;
}

/** Where the secret lives, in words. */
export function secretPlace(c: Connection): string {
  return c.secret_place === "keyring"
    ? "secret in the OS keyring"
    : `secret in ${c.secret_place} (only you can read it)`;
}
