// The command table's names and the request and result of each, from the generated bindings.
import type { Request } from "../bindings/Request";
import type { Response } from "../bindings/Response";

export type CommandName = Request["command"];
export type RequestOf<C extends CommandName> = Extract<Request, { command: C }>;
/** A command's result; commands that answer with nothing (save_layout) give `undefined`. */
export type ResultOf<C extends CommandName> =
  Extract<Response, { command: C }> extends { result: infer R } ? R : undefined;
