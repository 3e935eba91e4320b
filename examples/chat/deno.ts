// The chat app on Deno: `cd examples/chat && PORT=8080 deno run --allow-net=127.0.0.1 --allow-env=PORT deno.ts`
import { denoAdapter } from "ws101/app/deno";
import app from "./app.mjs";

const port = Number(Deno.env.get("PORT") ?? 8080);
const { fetch } = denoAdapter(app);
Deno.serve({ hostname: "127.0.0.1", port, onListen: () => console.log(`listening on http://127.0.0.1:${port}`) }, fetch);
