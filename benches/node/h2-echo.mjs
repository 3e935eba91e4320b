// ws101/node over HTTP/2 (RFC 8441) vs HTTP/1.1 on one TLS port: a ws101 client echoing binary
// messages through a ws101 server in the same process (so both share the CPU), one WebSocket,
// N messages in flight, for SECS seconds each; prints messages/s and MB/s per size and version.
//   node benches/node/h2-echo.mjs [secs=2]
import { once } from "node:events";
import { connect } from "ws101/node";
import { echoServer } from "../../tests/h2/support.mjs";

const secs = Number(process.argv[2] ?? 2);
const server = await echoServer({ wssOptions: { perMessageDeflate: false } });
for (const [size, inFlight] of [[125, 32], [16 << 10, 8], [1 << 20, 2]]) {
  for (const http2 of [false, true]) {
    const ws = connect(`${server.wsUrl}/bench`, { http2, rejectUnauthorized: false, perMessageDeflate: false });
    await once(ws, "open");
    const payload = Buffer.alloc(size, 7);
    let count = 0;
    const until = Date.now() + secs * 1000;
    await new Promise((resolve) => {
      let outstanding = 0;
      ws.on("message", () => {
        count++;
        outstanding--;
        if (Date.now() < until) {
          ws.send(payload);
          outstanding++;
        } else if (outstanding === 0) resolve();
      });
      for (let i = 0; i < inFlight; i++, outstanding++) ws.send(payload);
    });
    const rate = count / secs;
    console.log(`${String(size).padStart(8)} B × ${inFlight} in flight, HTTP/${http2 ? "2  " : "1.1"}: ${Math.round(rate)} echoes/s, ${((rate * size) / 1e6).toFixed(1)} MB/s`);
    ws.close();
    await once(ws, "close");
  }
}
await server.close();
