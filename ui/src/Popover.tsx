import { useId, useState, type ReactNode } from "react";

interface Props {
  /** The toggle button's content (its accessible name). */
  label: ReactNode;
  /** The panel's accessible name. */
  title: string;
  /** Open the panel towards the right of the button rather than the left. */
  alignLeft?: boolean;
  children: ReactNode;
}

/** A button that opens a small labelled panel below it; Escape closes it. */
export function Popover({ label, title, alignLeft, children }: Props) {
  const [open, setOpen] = useState(false);
  const panel = useId();
  return (
    <div className="selector">
      <button
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
          className={`selector-panel${alignLeft ? " left" : ""}`}
          role="dialog"
          aria-label={title}
          onKeyDown={(e) => e.key === "Escape" && setOpen(false)}
        >
          {children}
        </div>
      )}
    </div>
  );
}
