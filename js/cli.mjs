#!/usr/bin/env node
// `ws101` command line: probe a WebSocket server (once, repeatedly, or as a Prometheus exporter),
// compute accept values, print frames. The protocol is ws101's wasm core (buildRequest/
// parseResponse, Connection, acceptKey, encodeFrame); the files in cli/ only drive sockets, timers
// and output. Exit codes: 0 healthy, 1 a check failed, 2 could not connect or no response, 3 usage.
import { cmdAccept } from "./cli/accept.mjs";
import { cmdFrame } from "./cli/frame.mjs";
import { HELP } from "./cli/help.mjs";
import { cmdProbe } from "./cli/probe-command.mjs";
import { err_, escapeText, out } from "./cli/text.mjs";
import { EXIT_OK, EXIT_USAGE, packageVersion, UsageError } from "./cli/usage.mjs";

async function main(argv) {
  const [command, ...rest] = argv;
  const wantsJson = command === "probe" && rest.some((a) => /^--json(=|$)/.test(a));
  try {
    switch (command) {
      case undefined:
      case "-h":
      case "--help":
        out(HELP.main);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      case "-V":
      case "--version":
      case "version":
        out(`ws101 ${packageVersion()}`);
        return EXIT_OK;
      case "help":
        if (rest[0] && !HELP[rest[0]]) throw new UsageError(`no command ${JSON.stringify(rest[0])}`);
        out(HELP[rest[0] ?? "main"]);
        return EXIT_OK;
      case "probe": return await cmdProbe(rest);
      case "exporter": return await (await import("./cli/exporter.mjs")).cmdExporter(rest); // loads `yaml` only here
      case "accept": return cmdAccept(rest);
      case "frame": return cmdFrame(rest);
      default: throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (wantsJson) out(JSON.stringify({ url: null, ok: false, exitCode: EXIT_USAGE, error: { code: "usage", message: err.message } }));
    err_(escapeText(`ws101${command ? ` ${command}` : ""}: ${err.message}`));
    err_(`Run "ws101 ${HELP[command] ? `${command} ` : ""}--help" for usage.`);
    return EXIT_USAGE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Everything is closed by now; do not let a lingering socket hold the exit.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err) => { err_(escapeText(`ws101: internal error: ${err?.stack ?? err}`)); process.exit(1); },
);
