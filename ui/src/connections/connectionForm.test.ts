import { describe, expect, it } from "vitest";
import type { Connection } from "../bindings/Connection";
import type { KindInfo } from "../bindings/KindInfo";
import type { Pull } from "../bindings/Pull";
import {
  emptyForm,
  formOf,
  formProblem,
  pullOutcome,
  scheduleText,
  toNewConnection,
  withKind,
} from "./connectionForm";

const classic: KindInfo = {
  kind: "logitrail",
  label: "Logitrail (classic)",
  default_base_url: "https://api-1.logitrail.com/2015-01-01/",
  default_token_url: null,
  secret_name: "shared secret",
};
const oauth: KindInfo = {
  kind: "logitrail-oauth",
  label: "Logitrail (newer)",
  default_base_url: "https://api.logitrail.com/",
  default_token_url: "https://idp.logitrail.com/realms/logitrail/token",
  secret_name: "client secret",
};

const pull = (p: Partial<Pull>): Pull => ({
  id: 1,
  connection_id: 1,
  connection: "wh",
  import_id: 3,
  status: "success",
  scheduled: false,
  started_at: "2026-12-01T10:00:00Z",
  finished_at: null,
  pages: 3,
  records: 500,
  new: 412,
  existing: 0,
  updated: 88,
  failed: 0,
  error: null,
  ...p,
});

describe("the connection form", () => {
  it("follows the kind's defaults until the user changes them", () => {
    const f = withKind(emptyForm(classic), classic, oauth);
    expect(f.baseUrl).toBe(oauth.default_base_url);
    expect(f.tokenUrl).toBe(oauth.default_token_url);
    const typed = { ...emptyForm(classic), baseUrl: "http://127.0.0.1:9/" };
    expect(withKind(typed, classic, oauth).baseUrl).toBe("http://127.0.0.1:9/");
  });

  it("sends only the fields the kind asks for", () => {
    const f = { ...emptyForm(classic), name: " wh ", merchantId: "42", clientId: "left over" };
    const c = toNewConnection(f);
    expect(c).toMatchObject({ name: "wh", kind: "logitrail", merchant_id: "42", client_id: null });
    expect(c.every).toBeNull();
  });

  it("says what is missing before anything is sent", () => {
    const f = { ...emptyForm(oauth), name: "wh", merchantId: "42" };
    expect(formProblem(f, oauth, false)).toBe("Give the client id.");
    expect(formProblem({ ...f, clientId: "c" }, oauth, false)).toBe("Give the client secret.");
    // Editing keeps the secret unless a new one is typed.
    expect(formProblem({ ...f, clientId: "c" }, oauth, true)).toBeNull();
    expect(formProblem({ ...f, baseUrl: "api.logitrail.com" }, oauth, true)).toMatch(/https/);
  });

  it("edits a connection with its schedule in the panel's words", () => {
    const c = {
      name: "wh",
      kind: "logitrail",
      base_url: "https://x/",
      merchant_id: "42",
      client_id: null,
      token_url: null,
      scope: null,
      products_path: null,
      since: "2026-09-01T00:00:00.000Z",
      every_minutes: 360,
    } as Connection;
    expect(formOf(c)).toMatchObject({ since: "2026-09-01", every: "6h", secret: "" });
    expect(scheduleText(c)).toBe("every 6 hours");
    expect(scheduleText({ ...c, every_minutes: 15 })).toBe("every 15 minutes");
    expect(scheduleText({ ...c, every_minutes: null })).toBe("only when pulled");
  });
});

describe("a pull in words", () => {
  it("counts what it brought", () => {
    expect(pullOutcome(pull({}))).toBe("Pulled 412 new, 88 updated, 0 errors");
    expect(pullOutcome(pull({ existing: 1200 }))).toBe(
      "Pulled 412 new, 1,200 already in the store, 88 updated, 0 errors",
    );
  });
  it("says what a failed or stopped pull kept", () => {
    expect(
      pullOutcome(pull({ status: "failed", error: "the credentials were refused", pages: 0 })),
    ).toBe("Failed: the credentials were refused");
    expect(pullOutcome(pull({ status: "cancelled" }))).toMatch(/^Stopped: kept 412 new/);
    expect(pullOutcome(pull({ status: "running", records: 1500 }))).toBe(
      "Pulling: 1,500 records in 3 pages so far",
    );
  });
});
