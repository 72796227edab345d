import { memo, type MouseEvent } from "react";
import type { Column } from "../bindings/Column";
import { formatCell, isNumeric } from "../common/format";
import { ComponentChip } from "../kits/ComponentChip";
import type { Row } from "./pages";

/** Cells holding a SKU: their context menu offers its stock history. */
const SKU_COLUMNS = ["sku", "component_sku"];

export interface GridRowProps {
  /** The row's position in the view. */
  index: number;
  /** Undefined while its page is loading: the row shows blank. */
  row: Row | undefined;
  columns: Column[];
  /** Each column's width, in the order of `columns`. */
  sizes: number[];
  /** Where the row sits in the body, in pixels. */
  top: number;
  height: number;
  selected: boolean;
  picked: boolean;
  onClick: (e: MouseEvent<HTMLDivElement>, index: number) => void;
  componentColours?: Map<string, string>;
  onSkuMenu?: (sku: string, x: number, y: number) => void;
}

function StatusBadge({ value }: { value: string }) {
  return <span className={`badge badge-${value}`}>{value}</span>;
}

/**
 * One row of the table's body. Memoised, so the table's renders that leave a row as it was (a
 * page arriving beyond the screen, the selection moving elsewhere) skip it: the table passes
 * it only values that stay the same while the row does, and handlers that never change.
 */
export const GridRow = memo(function GridRow({
  index,
  row,
  columns,
  sizes,
  top,
  height,
  selected,
  picked,
  onClick,
  componentColours,
  onSkuMenu,
}: GridRowProps) {
  return (
    <div
      id={`row-${index}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected || picked}
      onClick={(e) => onClick(e, index)}
      className={`grid-row${row ? "" : " loading"}${selected ? " selected" : ""}${picked ? " picked" : ""}`}
      style={{ transform: `translateY(${top}px)`, height }}
    >
      {columns.map((c, i) => {
        const cell = formatCell(c.kind, row?.cells[i], c.id);
        return (
          <div
            key={c.id}
            role="gridcell"
            className={`cell${isNumeric(c.kind) ? " num" : ""}`}
            style={{ width: sizes[i] }}
            data-col={c.id}
            data-full={cell.title}
            onContextMenu={
              onSkuMenu && SKU_COLUMNS.includes(c.id) && cell.text
                ? (e) => {
                    e.preventDefault();
                    onSkuMenu(cell.text, e.clientX, e.clientY);
                  }
                : undefined
            }
          >
            {c.kind === "status" && cell.text ? (
              <StatusBadge value={cell.text} />
            ) : c.id === "component_sku" && componentColours && cell.text ? (
              <ComponentChip sku={cell.text} colour={componentColours.get(cell.text)} />
            ) : (
              cell.text
            )}
          </div>
        );
      })}
    </div>
  );
});
