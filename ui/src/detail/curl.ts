import type { Payload } from "../bindings/Payload";

/** POSIX shell single-quoting: safe for any byte but NUL. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A cURL command sending the request as shown: masked secrets stay masked unless the panel
 * shows them revealed. The body goes compact when it is JSON, as the replay sends it.
 */
export function toCurl(request: Payload): string {
  const method = (request.method ?? "GET").toUpperCase();
  // One option per line, as browsers' "Copy as cURL" writes it.
  const lines = [
    method !== "GET" || request.body !== null ? `curl -X ${shellQuote(method)}` : "curl",
  ];
  lines.push(shellQuote(request.url ?? ""));
  for (const h of request.headers) lines.push(`-H ${shellQuote(`${h.name}: ${h.value}`)}`);
  if (request.body !== null) {
    let body = request.body;
    if (request.body_is_json) {
      try {
        body = JSON.stringify(JSON.parse(body));
      } catch {
        // Shown as stored.
      }
    }
    lines.push(`--data-raw ${shellQuote(body)}`);
  }
  if (lines.length === 2 && lines[0] === "curl") return lines.join(" ");
  return lines.join(" \\\n  ");
}
