import { useCallback, useEffect, useState } from "react";
import type { ExportRecord } from "../bindings/ExportRecord";
import { call, type Transport } from "../transport";

const POLL_MS = 250;

/** The export history, polled while an export runs. `refresh` after starting or removing one. */
export function useExports(transport: Transport | undefined) {
  const [exports, setExports] = useState<ExportRecord[]>([]);
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  useEffect(() => {
    if (!transport) return;
    let stale = false;
    call(transport, { command: "exports" })
      .then((list) => !stale && setExports(list))
      .catch(() => {});
    return () => {
      stale = true;
    };
  }, [transport, version]);
  const running = exports.some((e) => e.status === "running");
  useEffect(() => {
    if (!transport || !running) return;
    const timer = setInterval(() => {
      call(transport, { command: "exports" })
        .then(setExports)
        .catch(() => {});
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [transport, running]);
  const cancel = useCallback(
    (id: number) => {
      if (transport) void call(transport, { command: "cancel_export", args: { id } }).then(refresh);
    },
    [transport, refresh],
  );
  return { exports, refresh, cancel };
}
