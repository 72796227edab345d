import type { ErrorKind } from "../bindings/ErrorKind";

/** A command the backend refused or failed; `message` is meant for the user. */
export class CommandError extends Error {
  readonly status: number | undefined;
  /** What kind of failure the backend said it was (the one error shape of every shell). */
  readonly kind: ErrorKind | undefined;
  constructor(message: string, status?: number, kind?: ErrorKind) {
    super(message);
    this.name = "CommandError";
    this.status = status;
    this.kind = kind;
  }
}
