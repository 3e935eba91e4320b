import type { ServerOptions, ServerOutcome } from "../index.js";
export declare function rejectionResponse(outcome: ServerOutcome): Response;
export declare function switchingHeaders(outcome: ServerOutcome): Record<string, string>;
export declare function runtimePolicy(options?: ServerOptions): ServerOptions;
