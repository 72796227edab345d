import { useState } from "react";
import type { Column } from "../bindings/Column";
import { Popover } from "../common/Popover";
import { columnMatches, sourceNames } from "../common/columnNames";

interface Props {
  all: Column[];
  visible: string[];
  onChange: (visible: string[]) => void;
  onReset: () => void;
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
}

/** Show or hide any column of the registry (Konnect's column selector, top right). */
export function ColumnSelector({ all, visible, onChange, onReset, open, onOpenChange }: Props) {
  const [find, setFind] = useState("");
  const listed = all.filter((c) => c.id !== "id" && columnMatches(c, find));
  const toggle = (id: string, on: boolean) => {
    // A column shown again goes to the end; hiding keeps the others' order.
    if (on) onChange([...visible, id]);
    else if (visible.length > 1) onChange(visible.filter((v) => v !== id));
  };
  return (
    <Popover
      label={`Columns (${visible.length})`}
      title="Choose columns"
      open={open}
      onOpenChange={onOpenChange}
    >
      <input
        type="search"
        aria-label="Find a column"
        placeholder="Find a column"
        value={find}
        onChange={(e) => setFind(e.target.value)}
        autoFocus
      />
      <ul>
        {listed.map((c) => {
          const also = sourceNames(c);
          return (
            <li key={c.id} title={c.description}>
              <label>
                <input
                  type="checkbox"
                  checked={visible.includes(c.id)}
                  onChange={(e) => toggle(c.id, e.target.checked)}
                />
                <span>
                  {c.label}
                  {also && <small className="aliases">{also}</small>}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
      <button type="button" onClick={onReset}>
        Reset to default
      </button>
    </Popover>
  );
}
