import { useSyncExternalStore } from "react";
import { waitingWrites } from "./waitingWrites";

/** Says that a change is waiting for the store (another import writes) instead of an error. */
export function WaitingNotice() {
  const waiting = useSyncExternalStore(waitingWrites.subscribe, waitingWrites.count);
  if (waiting === 0) return null;
  return (
    <p role="status" className="waiting-notice">
      Waiting for the import to finish… your change is saved as soon as it has.
    </p>
  );
}
