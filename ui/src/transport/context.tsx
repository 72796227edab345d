// The transport reaches every component from here; the app renders only once one exists, so it
// is never missing.
import { createContext, useContext, type ReactNode } from "react";
import type { Transport } from "./transport";

const TransportContext = createContext<Transport | null>(null);

export function TransportProvider({
  transport,
  children,
}: {
  transport: Transport;
  children: ReactNode;
}) {
  return <TransportContext.Provider value={transport}>{children}</TransportContext.Provider>;
}

/** The transport of this window. */
export function useTransport(): Transport {
  const transport = useContext(TransportContext);
  if (!transport) throw new Error("useTransport outside a TransportProvider");
  return transport;
}
