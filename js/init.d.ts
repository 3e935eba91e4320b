export * from "./index.js";
/** Compile and instantiate the module (a URL, Response, bytes or WebAssembly.Module); defaults to the .wasm beside this file. */
export declare function init(source?: { module_or_path?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module }): Promise<void>;
/** Instantiate synchronously from bytes or a compiled WebAssembly.Module. */
export declare function initSync(source: { module: BufferSource | WebAssembly.Module }): void;
