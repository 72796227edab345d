import { useCallback, useEffect, useRef, useState } from "react";
import type { Job } from "../bindings/Job";
import { call, type Transport } from "../transport";
import { isActive } from "./summary";

const POLL_MS = 250;

/**
 * The jobs this window shows: the ones it started and any already running when it opened,
 * polled while one is active. `onFinished` runs once per job when it ends, so the table can
 * show the new rows.
 */
export function useJobs(transport: Transport | undefined, onFinished: (job: Job) => void) {
  const [jobs, setJobs] = useState<Job[]>([]);
  const finishedRef = useRef(onFinished);
  useEffect(() => {
    finishedRef.current = onFinished;
  }, [onFinished]);

  useEffect(() => {
    if (!transport) return;
    call(transport, { command: "jobs" })
      .then((all) => setJobs((mine) => (mine.length > 0 ? mine : all.filter(isActive))))
      .catch(() => {});
  }, [transport]);

  const anyActive = jobs.some(isActive);
  useEffect(() => {
    if (!transport || !anyActive) return;
    const timer = setInterval(() => {
      call(transport, { command: "jobs" })
        .then((latest) =>
          setJobs((mine) =>
            mine.map((j) => {
              const now = latest.find((l) => l.id === j.id);
              if (!now) return j;
              if (isActive(j) && !isActive(now)) finishedRef.current(now);
              return now;
            }),
          ),
        )
        .catch(() => {});
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [transport, anyActive]);

  const track = useCallback((started: Job[]) => setJobs((mine) => [...started, ...mine]), []);
  const dismiss = useCallback(
    (id: number) => setJobs((mine) => mine.filter((j) => j.id !== id)),
    [],
  );
  const cancel = useCallback(
    (id: number) => {
      if (transport) void call(transport, { command: "cancel_job", args: { id } }).catch(() => {});
    },
    [transport],
  );
  return { jobs, track, dismiss, cancel };
}
