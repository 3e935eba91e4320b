# The matrix's Python client (PyPI `websockets`): python3 client.py ws://127.0.0.1:PORT/chat/ROOM
# Prints one JSON object of what it saw; tests/app/matrix.test.mjs asserts on it.
import asyncio
import json
import sys

from websockets.asyncio.client import connect


async def main(url):
    seen = {}
    async with connect(url, subprotocols=["chat", "chat.v2"]) as ws:
        seen["protocol"] = ws.subprotocol
        await ws.send("hello from python")
        text = await ws.recv()
        seen["text"] = [type(text).__name__, text]
        await ws.send(b"\x00\x01\xff")
        data = await ws.recv()
        seen["binary"] = [type(data).__name__, list(data)]
        await ws.close(4003, "py")
        sent, received = ws.protocol.close_sent, ws.protocol.close_rcvd
        seen["closeSent"] = [sent.code, sent.reason]
        seen["closeReceived"] = [received.code, received.reason] if received else None
    async with connect(url, subprotocols=["nope"]) as ws:
        seen["unoffered"] = ws.subprotocol
    print(json.dumps(seen))


asyncio.run(main(sys.argv[1]))
