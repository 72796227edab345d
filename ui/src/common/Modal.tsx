import { useEffect, useRef, type ReactNode } from "react";

/** What a dialog's first field can be. */
const FIELDS =
  "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";

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
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    // The platform focuses the first control, the header's ×: a space typed into what looks
    // like the dialog's field would close it. Its first field takes the keys instead.
    // A confirmation without fields names its safe choice with data-autofocus instead.
    (
      dialog?.querySelector<HTMLElement>(`.modal-body :is(${FIELDS})`) ??
      dialog?.querySelector<HTMLElement>("[data-autofocus]")
    )?.focus();
    // Closed, focus goes back to what opened it, not to the page's <body>.
    return () => {
      if (opener?.isConnected) opener.focus();
    };
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
