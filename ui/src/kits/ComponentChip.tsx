/** A SKU with its component's colour dot (the seed's "colour code each component"). */
export function ComponentChip({ sku, colour }: { sku: string; colour?: string }) {
  return (
    <span className="component-chip" data-colour={colour}>
      <i aria-hidden="true" style={{ background: colour ?? "transparent" }} />
      {sku}
    </span>
  );
}
