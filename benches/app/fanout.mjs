// Fan-out through ws101/app on each runtime: one sender, RECEIVERS peers in a room, MESSAGES small
// text messages; the time until every peer (the sender included) has all of them.
//   node benches/app/fanout.mjs [runtime ...]     (after `make build`; clients are `ws` in this process)
import { client } from "../../tests/app/clients.mjs";
import { RUNTIMES, startRuntime } from "../../tests/app/runtimes.mjs";

const RECEIVERS = Number(process.env.RECEIVERS ?? 10);
const MESSAGES = Number(process.env.MESSAGES ?? 20_000);

for (const name of process.argv.slice(2).length ? process.argv.slice(2) : RUNTIMES) {
  const server = await startRuntime(name, "tests/app/fixture");
  try {
    const url = `${server.ws}/chat/fanout`;
    const peers = [];
    for (let i = 0; i <= RECEIVERS; i++) peers.push(await client(url));
    const done = peers.map((p) => new Promise((resolve) => {
      let n = 0;
      p.on("message", () => { if (++n === MESSAGES) resolve(); });
    }));
    const start = performance.now();
    const payload = "x".repeat(32);
    for (let i = 0; i < MESSAGES; i++) peers[0].send(payload);
    await Promise.all(done);
    const seconds = (performance.now() - start) / 1000;
    const delivered = MESSAGES * peers.length;
    console.log(`${name.padEnd(8)} ${MESSAGES} messages × ${peers.length} peers: ${seconds.toFixed(2)} s, ${Math.round(delivered / seconds).toLocaleString("en")} deliveries/s`);
    for (const p of peers) p.close();
  } finally {
    await server.stop();
  }
}
