export * from "./index.js";

/** `WebAssembly.Module` where the WebAssembly types are loaded (DOM or webworker lib), else any object. */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: { prototype: infer M } } } ? M : object;
/** Compile and instantiate the module (a URL, Response, bytes or WebAssembly.Module); defaults to the .wasm beside this file. */
export declare function init(source?: { module_or_path?: string | URL | Request | Response | ArrayBufferView | ArrayBuffer | WasmModule | undefined }): Promise<void>;
/** Instantiate synchronously from bytes or a compiled WebAssembly.Module. */
export declare function initSync(source: { module: ArrayBufferView | ArrayBuffer | WasmModule }): void;
