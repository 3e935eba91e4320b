// Errors thrown by ws101 are JS Errors made in the binding layer (src/wasm/error.rs) with the
// fields of the core's Diagnostic and a registered-symbol brand, so that `instanceof` works across
// every copy of the glue (bundlers may duplicate modules).
const BRAND = Symbol.for("ws101.error");

/** True when `value` is an error thrown by ws101. */
export function isWs101Error(value) {
  return value !== null && typeof value === "object" && value[BRAND] === true;
}

/** `e instanceof Ws101Error` is true for every error ws101 throws. */
export class Ws101Error extends Error {
  static [Symbol.hasInstance](value) {
    return isWs101Error(value);
  }
}
