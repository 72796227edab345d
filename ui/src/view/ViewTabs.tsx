import { useState } from "react";
import { errorText } from "../common/ErrorMessage";
import type { View } from "../bindings/View";
import { Modal } from "../common/Modal";
import { tabAfterKey } from "./tabKeys";

interface Props {
  views: View[];
  active: string | null;
  /** The current view differs from the active view as it was chosen. */
  modified: boolean;
  onSelect: (view: View) => void;
  onSave: (name: string) => Promise<void>;
  onDelete: (view: View) => void;
}

/** The built-in views (All, Failed pushes, …) and the user's saved ones, as tabs. */
export function ViewTabs({ views, active, modified, onSelect, onSave, onDelete }: Props) {
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const current = views.find((v) => v.id === active);
  const save = () => {
    onSave(name)
      .then(() => {
        setNaming(false);
        setError(null);
      })
      .catch((e: unknown) => setError(errorText(e)));
  };
  return (
    <nav className="views" aria-label="Views">
      <div
        role="tablist"
        aria-label="Views"
        onKeyDown={(e) => {
          const tabs = Array.from(
            e.currentTarget.querySelectorAll<HTMLButtonElement>('[role="tab"]'),
          );
          const at = tabs.indexOf(e.target as HTMLButtonElement);
          if (at < 0) return;
          if (e.key === "Delete" && views[at]?.layout) {
            e.preventDefault();
            onDelete(views[at]);
            return;
          }
          const next = tabAfterKey(e.key, at, tabs.length);
          const view = next === null ? undefined : views[next];
          if (next === null || !view) return;
          e.preventDefault();
          tabs[next]?.focus();
          onSelect(view);
        }}
      >
        {views.map((v, i) => {
          const selected = v.id === active;
          const saved = v.layout !== null;
          // One tab stop for the tabs: the chosen one (the first when none is).
          const stop = selected || (!views.some((w) => w.id === active) && i === 0);
          return (
            <span key={v.id} className={`view-tab${selected ? " selected" : ""}`}>
              <button
                type="button"
                role="tab"
                aria-selected={selected}
                tabIndex={stop ? 0 : -1}
                aria-keyshortcuts={saved ? "Delete" : undefined}
                title={v.description}
                onClick={() => onSelect(v)}
              >
                {v.name}
                {selected && modified ? " •" : ""}
              </button>
              {saved && (
                <button
                  type="button"
                  className="icon"
                  // Out of the tab order (the tabs are one stop); Delete on the tab does the same.
                  tabIndex={-1}
                  aria-label={`Delete view ${v.name}`}
                  title={`Delete view ${v.name}`}
                  onClick={() => onDelete(v)}
                >
                  ×
                </button>
              )}
            </span>
          );
        })}
      </div>
      <button
        type="button"
        onClick={() => {
          setName(current?.layout ? current.name : "");
          setError(null);
          setNaming(true);
        }}
      >
        Save view…
      </button>
      {naming && (
        <Modal
          title="Save view"
          onClose={() => setNaming(false)}
          actions={
            <>
              <button type="button" onClick={() => setNaming(false)}>
                Cancel
              </button>
              <button
                type="button"
                className="primary"
                disabled={name.trim() === ""}
                onClick={save}
              >
                Save
              </button>
            </>
          }
        >
          <p className="muted">
            Saves the columns, their order and widths, the filters, the sort and the keywords.
          </p>
          <label className="stacked">
            Name
            <input
              autoFocus
              value={name}
              onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => e.key === "Enter" && name.trim() !== "" && save()}
            />
          </label>
          {error && (
            <p role="alert" className="error-text">
              {error}
            </p>
          )}
        </Modal>
      )}
    </nav>
  );
}
