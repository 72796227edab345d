// The tasks this window shows, kept current by the events the backend pushes (nothing polls).
import { useCallback, useEffect, useRef, useState } from "react";
import type { Task } from "../bindings/Task";
import { useTransport } from "../transport/context";
import { call } from "../transport/transport";
import { applyTaskEvent, dismiss as without, withRunning } from "./taskList";

/**
 * `onEnded` runs once per task when it ends, so the table can show an import's rows and the
 * export history its new file.
 */
export function useTasks(onEnded: (task: Task) => void) {
  const transport = useTransport();
  const [tasks, setTasks] = useState<Task[]>([]);
  const shown = useRef<Task[]>([]);
  const endedRef = useRef(onEnded);
  useEffect(() => {
    endedRef.current = onEnded;
  }, [onEnded]);

  const apply = useCallback((t: Task) => {
    const { tasks: next, ended } = applyTaskEvent(shown.current, t);
    shown.current = next;
    setTasks(next);
    if (ended) endedRef.current(ended);
  }, []);

  /** Reads the tasks as they are now: what a window missed before its events flowed. */
  const refresh = useCallback(
    (startedRecord?: { kind: Task["kind"]; id: number }) =>
      call(transport, { command: "tasks" })
        .then((listed) => {
          shown.current = withRunning(shown.current, listed);
          setTasks(shown.current);
          // A task this window just started joins even if it already ended.
          const started = startedRecord
            ? listed.find((t) => t.kind === startedRecord.kind && t.record_id === startedRecord.id)
            : undefined;
          if (started) apply(started);
        })
        .catch(() => {}),
    [transport, apply],
  );

  useEffect(() => {
    const stop = transport.listenTasks(apply);
    void refresh();
    return stop;
  }, [transport, apply, refresh]);

  const dismiss = useCallback((id: number) => {
    shown.current = without(shown.current, id);
    setTasks(shown.current);
  }, []);
  const cancel = useCallback(
    (id: number) => void call(transport, { command: "cancel_task", args: { id } }).catch(() => {}),
    [transport],
  );
  return { tasks, dismiss, cancel, refresh };
}
