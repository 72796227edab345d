import { useEffect, useRef, type ReactNode } from "react";

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** The dialog's buttons, right-aligned below its content. */
  actions?: ReactNode;
  wide?: boolean;
  /** For wide tables (the export history). */
  wider?: boolean;
}

/**
 * A modal dialog on the platform's own <dialog>: focus stays inside, Escape closes it, the
 * page behind is inert. Rendered only while open.
 */
export function Modal({ title, onClose, children, actions, wide, wider }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className={`modal${wide ? " wide" : ""}${wider ? " wider" : ""}`}
      aria-label={title}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header>
        <h2>{title}</h2>
        <button type="button" className="icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="modal-body">{children}</div>
      {actions && <footer>{actions}</footer>}
    </dialog>
  );
}
