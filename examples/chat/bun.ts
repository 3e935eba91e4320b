// The chat app on Bun (Bun.serve, Bun's native pub/sub): `PORT=8080 bun run examples/chat/bun.ts`
import { bunAdapter } from "ws101/app/bun";
import app from "./app.mjs";

const port = Number(process.env.PORT ?? 8080);
Bun.serve({ hostname: "127.0.0.1", port, ...bunAdapter(app) });
console.log(`listening on http://127.0.0.1:${port}`);
