import { useCallback, useState } from "react";
import { errorText } from "../common/ErrorMessage";
/** Writes to the clipboard and says so (or why not) for a moment. */
export function useClipboard() {
  const [status, setStatus] = useState("");
  const copy = useCallback((text: string, what: string) => {
    navigator.clipboard
      .writeText(text)
      .then(() => setStatus(`Copied ${what}.`))
      .catch((e: unknown) => setStatus(`Could not copy: ${errorText(e)}`));
  }, []);
  return { copy, status };
}
