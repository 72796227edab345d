import { useCallback, useEffect, useState, type FormEvent } from "react";
import type { Kit } from "../bindings/Kit";
import { ErrorMessage, errorText } from "../common/ErrorMessage";
import { Modal } from "../common/Modal";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import { ComponentChip } from "./ComponentChip";
import { kitColours } from "./colours";

interface Props {
  onClose: () => void;
  /** Open a kit's merged log in the table. */
  onOpenLog: (kitSku: string) => void;
  /** A kit changed (`gone`: it no longer exists): an open kit log must follow. */
  onChanged: (gone?: string) => void;
}

/** One kit: its components with their quantity per kit, editable in place. */
function KitCard({
  kit,
  onOpenLog,
  onChanged,
  onError,
}: {
  kit: Kit;
  onOpenLog: (kitSku: string) => void;
  onChanged: (gone?: string) => void;
  onError: (e: string | null) => void;
}) {
  const transport = useTransport();
  const colours = kitColours(kit);
  const [sku, setSku] = useState("");
  const [quantity, setQuantity] = useState("1");
  const [confirming, setConfirming] = useState(false);
  // `ends`: the change leaves the kit without components, so without the kit.
  const run = (p: Promise<unknown>, ends = false) =>
    p.then(
      () => {
        onError(null);
        onChanged(ends ? kit.kit_sku : undefined);
      },
      (e: unknown) => onError(errorText(e)),
    );
  const setComponent = (component: string, q: number) =>
    run(
      call(transport, {
        command: "set_kit_component",
        args: { kit_sku: kit.kit_sku, component_sku: component, quantity: q },
      }),
    );
  const add = (e: FormEvent) => {
    e.preventDefault();
    void setComponent(sku, Number(quantity)).then(() => {
      setSku("");
      setQuantity("1");
    });
  };
  return (
    <section className="kit-card" aria-label={`Kit ${kit.kit_sku}`}>
      <header>
        <h3>{kit.kit_sku}</h3>
        <span className="spacer" />
        <button type="button" className="primary" onClick={() => onOpenLog(kit.kit_sku)}>
          Open kit log
        </button>
        {confirming ? (
          <span className="confirm" role="group" aria-label={`Delete kit ${kit.kit_sku}?`}>
            Delete {kit.kit_sku}? Its entries stay.
            <button
              type="button"
              onClick={() =>
                void run(
                  call(transport, { command: "remove_kit", args: { kit_sku: kit.kit_sku } }),
                  true,
                )
              }
            >
              Delete
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </span>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Delete kit…
          </button>
        )}
      </header>
      <table className="kit-components">
        <thead>
          <tr>
            <th>Component</th>
            <th>Per kit</th>
            <th aria-label="Remove" />
          </tr>
        </thead>
        <tbody>
          {kit.components.map((c) => (
            <tr key={c.sku}>
              <td>
                <ComponentChip sku={c.sku} colour={colours.get(c.sku)} />
              </td>
              <td>
                <input
                  type="number"
                  min={1}
                  step={1}
                  aria-label={`Quantity of ${c.sku} per kit`}
                  defaultValue={c.quantity}
                  onBlur={(e) => {
                    const q = Number(e.target.value);
                    if (q !== c.quantity) void setComponent(c.sku, q);
                  }}
                  onKeyDown={(e) => e.key === "Enter" && e.currentTarget.blur()}
                />
              </td>
              <td>
                <button
                  type="button"
                  className="icon"
                  aria-label={`Remove ${c.sku} from ${kit.kit_sku}`}
                  onClick={() =>
                    void run(
                      call(transport, {
                        command: "remove_kit_component",
                        args: { kit_sku: kit.kit_sku, component_sku: c.sku },
                      }),
                      kit.components.length === 1,
                    )
                  }
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="kit-add" onSubmit={add}>
        <input
          aria-label={`New component of ${kit.kit_sku}`}
          placeholder="Component SKU"
          value={sku}
          onChange={(e) => setSku(e.target.value)}
          required
        />
        <input
          type="number"
          min={1}
          step={1}
          aria-label="Quantity per kit"
          value={quantity}
          onChange={(e) => setQuantity(e.target.value)}
        />
        <button type="submit">Add component</button>
      </form>
    </section>
  );
}

/** The kits list: the kits files define them, and they are edited here. */
export function KitsDialog({ onClose, onOpenLog, onChanged }: Props) {
  const transport = useTransport();
  const [kits, setKits] = useState<Kit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [newKit, setNewKit] = useState({ kit: "", component: "", quantity: "1" });
  const load = useCallback(() => {
    call(transport, { command: "kits" })
      .then(setKits)
      .catch((e: unknown) => setError(errorText(e)));
  }, [transport]);
  useEffect(load, [load]);
  const changed = (gone?: string) => {
    load();
    onChanged(gone);
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    call(transport, {
      command: "set_kit_component",
      args: {
        kit_sku: newKit.kit,
        component_sku: newKit.component,
        quantity: Number(newKit.quantity),
      },
    })
      .then(() => {
        setNewKit({ kit: "", component: "", quantity: "1" });
        setError(null);
        changed();
      })
      .catch((err: unknown) => setError(errorText(err)));
  };
  return (
    <Modal title="Kits" onClose={onClose} wide>
      <ErrorMessage error={error} />
      {kits && kits.length === 0 && (
        <p className="muted">
          No kits yet. Import a kits file (kit_sku, component_sku, quantity) or add one below.
        </p>
      )}
      <div className="kit-list">
        {kits?.map((k) => (
          <KitCard
            key={k.kit_sku}
            kit={k}
            onOpenLog={onOpenLog}
            onChanged={changed}
            onError={setError}
          />
        ))}
      </div>
      <form className="kit-add new-kit" onSubmit={create} aria-label="New kit">
        <strong>New kit</strong>
        <input
          aria-label="New kit SKU"
          placeholder="Kit SKU"
          value={newKit.kit}
          onChange={(e) => setNewKit({ ...newKit, kit: e.target.value })}
          required
        />
        <input
          aria-label="Its first component"
          placeholder="Component SKU"
          value={newKit.component}
          onChange={(e) => setNewKit({ ...newKit, component: e.target.value })}
          required
        />
        <input
          type="number"
          min={1}
          step={1}
          aria-label="First component's quantity per kit"
          value={newKit.quantity}
          onChange={(e) => setNewKit({ ...newKit, quantity: e.target.value })}
        />
        <button type="submit">Create kit</button>
      </form>
    </Modal>
  );
}
