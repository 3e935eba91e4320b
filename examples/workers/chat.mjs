// A Durable Object chat room: how Workers apps scale WebSockets. One object per room name;
// ws101 validates each upgrade, the object accepts the socket with the hibernation API and fans
// every message out to everyone in the room.
import { upgrade } from "ws101/workers";

export class ChatRoom {
  constructor(state) {
    this.state = state;
  }

  async fetch(request) {
    const { response, socket } = upgrade(request, { protocols: ["chat"], accept: false });
    if (!socket) return response;
    this.state.acceptWebSocket(socket);
    this.broadcast(JSON.stringify({ type: "joined", count: this.state.getWebSockets().length }));
    return response;
  }

  webSocketMessage(_socket, message) {
    this.broadcast(message);
  }

  webSocketClose(socket, code, reason) {
    try {
      socket.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // already closed
    }
    this.broadcast(JSON.stringify({ type: "left", count: Math.max(0, this.state.getWebSockets().length - 1) }));
  }

  broadcast(message) {
    for (const peer of this.state.getWebSockets()) {
      try {
        peer.send(message);
      } catch {
        // a peer that went away mid-send
      }
    }
  }
}
