// Defaults and bounds of `ws101 probe` (the help text quotes them).
export const DEFAULT_TIMEOUT = 10000;
export const BODY_PREVIEW = 512;
// Bounds that keep the probe's memory flat whatever the server sends (the session's events are
// consumed as they arrive; only what a step checks is kept).
export const MAX_MESSAGE = 16 << 20;      // the core's maxPayload: a bigger message is a 1009 protocol error
export const PHASE_MAX_BYTES = 64 << 20;  // per step (echo, each ping, close): bytes received, and payload bytes
export const PHASE_MAX_FRAMES = 100000;   // per step: messages and control frames received
export const WRITE_HIGH = 256 << 10;      // stop reading while more than this waits to be written (pongs)
export const PENDING_MAX = 64;            // messages kept from before the echo step asks for them…
export const PENDING_BYTES = 1 << 20;     // …and their bytes
export const SKIPPED_MAX = 20;            // skipped messages listed in the echo report (all are counted)
export const SKIPPED_CHARS = 200;         // characters shown of each
export const EXPECT_MAX = 1 << 20;        // longest text matched against --expect

// The exporter
export const DEFAULT_EXPORTER_LISTEN = "127.0.0.1:9115";
export const DEFAULT_MAX_CONCURRENT = 16;   // probes running at once; more wait in line
export const DEFAULT_PROBE_DEADLINE = 10000; // one probe, waiting included, without a scrape timeout header
export const MAX_QUEUED = 256;              // probes waiting for a slot; beyond that a scrape fails at once
