import type { Header } from "../bindings/Header";

/** HTTP headers, one per row, name then value. */
export function HeadersTable({ headers, caption }: { headers: Header[]; caption: string }) {
  if (headers.length === 0) return null;
  return (
    <table className="http-headers">
      <caption className="sr-only">{caption}</caption>
      <tbody>
        {headers.map((h, i) => (
          <tr key={`${h.name}-${i}`}>
            <th scope="row">{h.name}</th>
            <td>{h.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
