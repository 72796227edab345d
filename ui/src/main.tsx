import "./locale";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { errorText } from "./common/ErrorMessage";
import { TransportProvider } from "./transport/context";
import { detectTransport, type Transport } from "./transport/transport";
import "./styles.css";

/** The window's one transport; without one (a browser opened without the token) the app
 * cannot talk to Invlog, and says how to fix that instead. */
function connect(): Transport | string {
  try {
    return detectTransport(window as never);
  } catch (e) {
    return errorText(e);
  }
}

const root = document.getElementById("root");
if (root) {
  const transport = connect();
  createRoot(root).render(
    <StrictMode>
      {typeof transport === "string" ? (
        <main className="app">
          <header className="bar">
            <h1>Invlog</h1>
          </header>
          <p role="alert" className="error">
            {transport}
          </p>
        </main>
      ) : (
        <TransportProvider transport={transport}>
          <App />
        </TransportProvider>
      )}
    </StrictMode>,
  );
}
