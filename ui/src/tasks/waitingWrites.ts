// Writes wait their turn behind another writer to the store (an import, another process), as
// long as it takes. A write still unanswered after a moment is most likely waiting: the app says
// so instead of looking frozen. Reads never wait for writers, so only writes are watched.
import type { CommandName } from "../transport/commands";

/** The commands that write to the store (the backend's `Request::writes`, plus the re-run and
 * export records, which write too). */
export const WRITE_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>([
  "import",
  "save_layout",
  "load_samples",
  "save_view",
  "delete_view",
  "set_resolved",
  "set_kit_component",
  "remove_kit_component",
  "remove_kit",
  "add_schedule",
  "remove_schedule",
  "rerun",
  "start_export",
  "remove_export",
]);

/** How long a write may take before the app says it is waiting. */
export const WAITING_AFTER_MS = 1000;

type Listener = () => void;

/** How many writes have been pending longer than WAITING_AFTER_MS; a store for React. */
export function createWaitingWrites(schedule = setTimeout, unschedule = clearTimeout) {
  let waiting = 0;
  const listeners = new Set<Listener>();
  const notify = () => listeners.forEach((l) => l());
  return {
    /** Watches one command's promise; returns it unchanged. */
    watch<T>(command: CommandName, pending: Promise<T>): Promise<T> {
      if (!WRITE_COMMANDS.has(command)) return pending;
      let late = false;
      const timer = schedule(() => {
        late = true;
        waiting += 1;
        notify();
      }, WAITING_AFTER_MS);
      const done = () => {
        unschedule(timer);
        if (late) {
          waiting -= 1;
          notify();
        }
      };
      pending.then(done, done);
      return pending;
    },
    count: () => waiting,
    subscribe(listener: Listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const waitingWrites = createWaitingWrites();
