import { useEffect, useRef } from "react";

interface Props {
  sku: string;
  x: number;
  y: number;
  onStockHistory: () => void;
  onFilter: () => void;
  onClose: () => void;
}

/** A SKU cell's context menu: its stock history, or the table narrowed to it. */
export function SkuMenu({ sku, x, y, onStockHistory, onFilter, onClose }: Props) {
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    menu.current?.querySelector("button")?.focus();
    const away = (e: Event) => {
      if (!menu.current?.contains(e.target as Node)) onClose();
    };
    const key = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("pointerdown", away, true);
    window.addEventListener("keydown", key);
    window.addEventListener("resize", onClose);
    return () => {
      window.removeEventListener("pointerdown", away, true);
      window.removeEventListener("keydown", key);
      window.removeEventListener("resize", onClose);
    };
  }, [onClose]);
  const pick = (action: () => void) => () => {
    onClose();
    action();
  };
  return (
    <div
      ref={menu}
      role="menu"
      aria-label={`SKU ${sku}`}
      className="context-menu"
      style={{
        left: Math.min(x, window.innerWidth - 240),
        top: Math.min(y, window.innerHeight - 90),
      }}
    >
      <button type="button" role="menuitem" onClick={pick(onStockHistory)}>
        Stock history of {sku}
      </button>
      <button type="button" role="menuitem" onClick={pick(onFilter)}>
        Show only {sku}
      </button>
    </div>
  );
}
