import type { Kit } from "../bindings/Kit";
import { colourMap } from "../charts/palette";

/** The kit's own SKU: its rows are the kit's, not a component's. */
export const KIT_COLOUR = "#868e96";

/** A stable colour per component of a kit (and grey for the kit itself). */
export function kitColours(kit: Kit): Map<string, string> {
  const colours = colourMap(kit.components.map((c) => c.sku));
  colours.set(kit.kit_sku, KIT_COLOUR);
  return colours;
}
