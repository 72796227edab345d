import { describe, expect, it } from "vitest";
import type { Payload } from "../bindings/Payload";
import { shellQuote, toCurl } from "./curl";

const request: Payload = {
  bytes: 10,
  method: "put",
  url: "https://api.example/v1/inv?sku=A&api_key=••••",
  status: null,
  duration_ms: null,
  headers: [
    { name: "Authorization", value: "••••" },
    { name: "Content-Type", value: "application/json" },
  ],
  body: '{\n  "note": "it\'s $HOME",\n  "qty": 2\n}',
  body_is_json: true,
};

describe("Copy as cURL", () => {
  it("quotes everything for a POSIX shell", () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("$(rm -rf /)")).toBe("'$(rm -rf /)'");
  });

  it("sends the method, URL, headers and compact JSON body as shown", () => {
    expect(toCurl(request)).toBe(
      [
        "curl -X 'PUT'",
        "'https://api.example/v1/inv?sku=A&api_key=••••'",
        "-H 'Authorization: ••••'",
        "-H 'Content-Type: application/json'",
        `--data-raw '{"note":"it'\\''s $HOME","qty":2}'`,
      ].join(" \\\n  "),
    );
  });

  it("leaves out what a plain GET does not need", () => {
    expect(toCurl({ ...request, method: null, headers: [], body: null })).toBe(
      "curl 'https://api.example/v1/inv?sku=A&api_key=••••'",
    );
    expect(toCurl({ ...request, body: "a=1&b=2", body_is_json: false })).toContain(
      "--data-raw 'a=1&b=2'",
    );
  });
});
