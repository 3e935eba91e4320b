// The chat app on Cloudflare Workers: one Durable Object per room (hibernation API).
import { durableRoom, workersAdapter } from "ws101/app/workers";
import app, { roomOf } from "./app.mjs";

export const ChatRoom = durableRoom(app);
export default workersAdapter({ binding: "ROOMS", room: (url) => roomOf(url) });
