import { useEffect, useState } from "react";
import { ErrorMessage } from "./ErrorMessage";
import type { Column } from "./bindings/Column";
import type { QueryRequest } from "./bindings/QueryRequest";
import type { JsonValue } from "./bindings/serde_json/JsonValue";
import { formatCell } from "./format";
import { Modal } from "./Modal";
import { call, type Transport } from "./transport";

interface Props {
  transport: Transport;
  registry: Column[];
  /** The table's view; the entry is its row number `index`. */
  view: QueryRequest;
  index: number;
  total: number;
  onIndex: (index: number) => void;
  onClose: () => void;
}

/** Every column of one entry, hidden ones included; empty fields are left out. */
export function RowDetails({ transport, registry, view, index, total, onIndex, onClose }: Props) {
  const [row, setRow] = useState<JsonValue[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stale = false;
    call(transport, {
      command: "query",
      args: {
        ...view,
        columns: registry.map((c) => c.id),
        offset: index,
        limit: 1,
        with_total: false,
      },
    })
      .then((r) => !stale && setRow(r.rows[0] ?? null))
      .catch((e: unknown) => !stale && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      stale = true;
    };
  }, [transport, registry, view, index]);

  const fields = registry
    .map((c, i) => ({ column: c, value: row?.[i] }))
    .filter((f) => f.value !== null && f.value !== undefined && f.value !== "");
  return (
    <Modal
      title={`Entry ${(index + 1).toLocaleString()} of ${total.toLocaleString()}`}
      onClose={onClose}
      wide
      actions={
        <>
          <button type="button" disabled={index === 0} onClick={() => onIndex(index - 1)}>
            ← Previous
          </button>
          <button type="button" disabled={index >= total - 1} onClick={() => onIndex(index + 1)}>
            Next →
          </button>
        </>
      }
    >
      <ErrorMessage error={error} />
      {row && (
        <dl className="details">
          {fields.map(({ column, value }) => {
            const cell = formatCell(column.kind, value);
            return (
              <div key={column.id}>
                <dt title={column.description}>{column.label}</dt>
                <dd title={cell.title}>
                  {column.kind === "json" ? <pre>{JSON.stringify(value, null, 2)}</pre> : cell.text}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
    </Modal>
  );
}
