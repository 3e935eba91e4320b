// `ws101 frame`: one frame's bytes as hex (RFC 6455 §5.2), made by the core's Connection or its
// raw frame encoder, optionally laid open field by field by the core's decoder.
import { randomBytes } from "node:crypto";
import { Connection, decodeFrames, encodeFrame, isWs101Error } from "../node.mjs";
import { HELP } from "./help.mjs";
import { err_, hex, out } from "./text.mjs";
import { EXIT_CHECK, EXIT_OK, parse, parseHex, typedError, UsageError } from "./usage.mjs";

const OPCODES = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 };

export function cmdFrame(args) {
  const { values, positionals } = parse(args, {
    text: { type: "string" },
    binary: { type: "string" },
    opcode: { type: "string" },
    close: { type: "string" },
    reason: { type: "string" },
    mask: { type: "boolean" },
    "mask-key": { type: "string" },
    fin: { type: "string" },
    explain: { type: "boolean" },
    json: { type: "boolean" },
  });
  if (values.help) return out(HELP.frame), EXIT_OK;
  if (positionals.length) throw new UsageError(`frame takes no positional argument, got ${JSON.stringify(positionals[0])}`);
  if (values.text !== undefined && values.binary !== undefined) throw new UsageError("give --text or --binary, not both");
  let opcode;
  if (values.opcode !== undefined) {
    const name = values.opcode.toLowerCase();
    opcode = name in OPCODES ? OPCODES[name] : /^(0x)?[0-9a-f]+$/i.test(name) ? Number(name) : NaN;
    if (!Number.isInteger(opcode) || opcode < 0 || opcode > 15) throw new UsageError(`--opcode must be text, binary, ping, pong, close, continuation or 0-15, got ${values.opcode}`);
  } else if (values.close !== undefined) opcode = OPCODES.close;
  else if (values.text !== undefined) opcode = OPCODES.text;
  else if (values.binary !== undefined) opcode = OPCODES.binary;
  else throw new UsageError("frame needs --text, --binary, --opcode or --close");
  if (values.close !== undefined && opcode !== OPCODES.close) throw new UsageError("--close makes a Close frame; it cannot be combined with another --opcode");
  if (values.reason !== undefined && values.close === undefined) throw new UsageError("--reason needs --close CODE");
  let fin = true;
  if (values.fin !== undefined) {
    if (!["true", "false", "1", "0"].includes(values.fin)) throw new UsageError(`--fin must be true or false, got ${values.fin}`);
    fin = values.fin === "true" || values.fin === "1";
  }
  const payload = values.text !== undefined ? Buffer.from(values.text, "utf8") : values.binary !== undefined ? parseHex(values.binary, "--binary") : Buffer.alloc(0);
  const maskKey = values["mask-key"] !== undefined ? parseHex(values["mask-key"], "--mask-key") : null;
  if (maskKey && maskKey.length !== 4) throw new UsageError("--mask-key must be 4 bytes (8 hex digits)");
  const known = [OPCODES.text, OPCODES.binary, OPCODES.close, OPCODES.ping, OPCODES.pong].includes(opcode);
  let bytes;
  try {
    if (!fin || maskKey || !known) {
      // Raw encoder: header fields as given, no frame rule checked.
      if (values.close !== undefined) throw new UsageError("--close builds a valid Close frame through Connection; for a raw Close frame use --opcode close --binary HEX");
      const key = maskKey ?? (values.mask ? randomBytes(4) : undefined);
      bytes = encodeFrame({ opcode, fin, payload, mask: key !== undefined, maskKey: key }).bytes;
    } else {
      const conn = new Connection({ role: values.mask ? "client" : "server" });
      switch (opcode) {
        case OPCODES.text: bytes = conn.sendText(payload); break;
        case OPCODES.binary: bytes = conn.sendBinary(payload); break;
        case OPCODES.ping: bytes = conn.ping(payload); break;
        case OPCODES.pong: bytes = conn.pong(payload); break;
        case OPCODES.close: {
          if (payload.length) throw new UsageError("a Close frame's payload is --close CODE [--reason R]");
          let code;
          if (values.close !== undefined) {
            code = Number(values.close);
            if (!Number.isInteger(code) || code < 0 || code > 65535) throw new UsageError(`--close must be a number 0-65535, got ${values.close}`);
          }
          bytes = conn.close(code, values.reason ?? "");
          break;
        }
      }
      conn.free();
    }
  } catch (err) {
    if (!isWs101Error(err)) throw err;
    err_(`ws101 frame: ${typedError(err)}`);
    return EXIT_CHECK;
  }
  if (values.explain || values.json) {
    // The header laid open by the core's frame decoder (as a server receives a masked frame,
    // as a client an unmasked one); no rule is applied to the frame here.
    const decoded = decodeFrames(bytes, values.mask || maskKey ? "server" : "client");
    const frame = decoded.frames[0];
    const fields = (frame?.fields ?? []).map((f) => ({ name: f.name, bits: `${f.bitOffset}-${f.bitOffset + f.bitLength - 1}`, value: f.value }));
    if (values.json) {
      out(JSON.stringify({ hex: hex(bytes), fields, payloadLength: frame?.payloadLength ?? null, masked: frame?.masked ?? null }));
      return EXIT_OK;
    }
    out(hex(bytes));
    for (const f of fields) out(`  ${f.name.padEnd(18)} bits ${f.bits.padEnd(7)} ${f.value > 9 ? `${f.value} (0x${f.value.toString(16)})` : f.value}`);
    return EXIT_OK;
  }
  out(hex(bytes));
  return EXIT_OK;
}
