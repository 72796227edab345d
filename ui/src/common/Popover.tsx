import { useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode } from "react";

interface Props {
  /** The toggle button's content (its accessible name). */
  label: ReactNode;
  /** The panel's accessible name. */
  title: string;
  /** Open the panel towards the right of the button rather than the left. */
  alignLeft?: boolean;
  /** Set to control it from outside (a menu item that opens it); else it keeps its own state. */
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  children: ReactNode;
}

const FOCUSABLE = "input, select, textarea, button, [tabindex]:not([tabindex='-1'])";

/**
 * A button that opens a small labelled panel below it. The panel takes focus when it opens;
 * Escape (wherever focus is) and a click outside close it, focus going back to the button.
 */
export function Popover({
  label,
  title,
  alignLeft,
  open: controlled,
  onOpenChange,
  children,
}: Props) {
  const [own, setOwn] = useState(false);
  const open = controlled ?? own;
  const setOpen = (next: boolean | ((o: boolean) => boolean)) => {
    const value = typeof next === "function" ? next(open) : next;
    setOwn(value);
    onOpenChange?.(value);
  };
  const panel = useId();
  const panelRef = useRef<HTMLDivElement>(null);
  // Opens towards the side with room: a panel past the window's edge would scroll the page.
  const [flip, setFlip] = useState(false);
  useLayoutEffect(() => {
    const box = panelRef.current?.getBoundingClientRect();
    if (!open || !box) {
      setFlip(false);
      return;
    }
    if (box.right > window.innerWidth || box.left < 0) setFlip(true);
  }, [open]);
  const left = flip ? !alignLeft : alignLeft;
  const wrapRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) panelRef.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
  }, [open]);
  useEffect(() => {
    if (!open) return;
    const close = () => {
      setOwn(false);
      onOpenChange?.(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      close();
      buttonRef.current?.focus();
    };
    const onPointer = (e: PointerEvent) => {
      if (!wrapRef.current?.contains(e.target as Node)) close();
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open, onOpenChange]);
  return (
    <div className="selector" ref={wrapRef}>
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panel}
        onClick={() => setOpen((o) => !o)}
      >
        {label}
      </button>
      {open && (
        <div
          id={panel}
          ref={panelRef}
          className={`selector-panel${left ? " left" : ""}`}
          role="dialog"
          aria-label={title}
        >
          {children}
        </div>
      )}
    </div>
  );
}
