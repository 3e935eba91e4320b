"""An independent RFC 8441 client: Python `h2` (PyPI) for HTTP/2, RFC 6455 framing written here.

    python3 tests/h2/rfc8441_client.py HOST PORT

Connects over TLS (ALPN h2, certificate not verified: the test's own self-signed one), checks
the server's SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441 §3), then on that one connection:
GET /, WebSockets as extended CONNECT streams (§4, §5) exchanging masked frames, two at once,
and a request the server must refuse. Prints one JSON object with what it saw.
"""

import json
import os
import socket
import ssl
import struct
import sys

import h2.config
import h2.connection
import h2.events
import h2.settings


def frame(opcode, payload, fin=True):
    """A client frame: masked (RFC 6455 §5.3)."""
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    key = os.urandom(4)
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload)) if n < 4096 else mask_fast(payload, key)
    return head + key + masked


def mask_fast(payload, key):
    k = int.from_bytes(key * ((len(payload) + 3) // 4), "big") >> (8 * ((4 - len(payload) % 4) % 4))
    return (int.from_bytes(payload, "big") ^ k).to_bytes(len(payload), "big")


def parse_one(buf):
    """One server frame (unmasked, §5.1) from the front of buf: (frame, rest), or (None, buf) when incomplete."""
    if len(buf) < 2:
        return None, buf
    b0, b1 = buf[0], buf[1]
    if b1 & 0x80:
        raise ValueError("server frame is masked (RFC 6455 §5.1)")
    n, off = b1 & 0x7F, 2
    if n == 126:
        if len(buf) < 4:
            return None, buf
        n, off = struct.unpack("!H", buf[2:4])[0], 4
    elif n == 127:
        if len(buf) < 10:
            return None, buf
        n, off = struct.unpack("!Q", buf[2:10])[0], 10
    if len(buf) < off + n:
        return None, buf
    return {"fin": bool(b0 & 0x80), "rsv1": bool(b0 & 0x40), "opcode": b0 & 0x0F, "payload": buf[off:off + n]}, buf[off + n:]


class Client:
    def __init__(self, host, port):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["h2"])
        raw = socket.create_connection((host, port), timeout=20)
        self.sock = ctx.wrap_socket(raw, server_hostname="localhost")
        self.alpn = self.sock.selected_alpn_protocol()
        self.authority = f"{host}:{port}"
        self.conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
        self.conn.initiate_connection()
        self.flush()
        self.streams = {}  # id -> {"headers", "data", "ended", "reset"}
        self.remote_settings = None

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def pump(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed")
        for ev in self.conn.receive_data(data):
            if isinstance(ev, h2.events.RemoteSettingsChanged):
                self.remote_settings = {int(k): v.new_value for k, v in ev.changed_settings.items()}
            st = self.streams.get(getattr(ev, "stream_id", None))
            if isinstance(ev, h2.events.ResponseReceived) and st is not None:
                st["headers"] = [(k.decode(), v.decode()) for k, v in ev.headers]
            elif isinstance(ev, h2.events.DataReceived) and st is not None:
                st["data"] += ev.data
                self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, h2.events.StreamEnded) and st is not None:
                st["ended"] = True
            elif isinstance(ev, h2.events.StreamReset) and st is not None:
                st["reset"] = ev.error_code
        self.flush()

    def until(self, cond):
        while not cond():
            self.pump()

    def request(self, headers, end_stream):
        sid = self.conn.get_next_available_stream_id()
        self.streams[sid] = {"headers": None, "data": b"", "ended": False, "reset": None}
        self.conn.send_headers(sid, headers, end_stream=end_stream)
        self.flush()
        return sid

    def send(self, sid, data):
        """DATA within the flow-control window, in frames no larger than the peer allows."""
        while data:
            window = self.conn.local_flow_control_window(sid)
            if window == 0:
                self.pump()
                continue
            n = min(window, self.conn.max_outbound_frame_size, len(data))
            self.conn.send_data(sid, data[:n])
            data = data[n:]
            self.flush()

    def websocket(self, path, extra=()):
        headers = [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "https"),
                   (":path", path), (":authority", self.authority),
                   ("sec-websocket-version", "13"), *extra]
        sid = self.request(headers, end_stream=False)
        self.until(lambda: self.streams[sid]["headers"] is not None or self.streams[sid]["reset"] is not None)
        return sid

    def next_frame(self, sid):
        st = self.streams[sid]
        while True:
            f, st["data"] = parse_one(st["data"])
            if f is not None:
                return f
            if st["ended"] or st["reset"] is not None:
                return None
            self.pump()


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    c = Client(host, port)
    out = {"alpn": c.alpn}
    c.until(lambda: c.remote_settings is not None)
    out["enableConnectProtocol"] = c.remote_settings.get(h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL)

    # An ordinary request on the same connection.
    sid = c.request([(":method", "GET"), (":scheme", "https"), (":path", "/"), (":authority", c.authority)], end_stream=True)
    c.until(lambda: c.streams[sid]["ended"])
    out["get"] = {"status": dict(c.streams[sid]["headers"])[":status"],
                  "contentType": dict(c.streams[sid]["headers"]).get("content-type"),
                  "body": c.streams[sid]["data"].decode()}

    # A WebSocket: subprotocol, text, binary (0 B, 100 KiB, 1 MiB over flow control), ping, close.
    ws = c.websocket("/echo", [("sec-websocket-protocol", "x, echo")])
    h = dict(c.streams[ws]["headers"])
    out["ws"] = {"status": h.get(":status"), "protocol": h.get("sec-websocket-protocol"),
                 "accept": h.get("sec-websocket-accept"), "upgrade": h.get("upgrade")}
    echoes = []
    for opcode, payload in [(1, "héllo".encode()), (2, b""), (2, os.urandom(100 * 1024)), (2, os.urandom(1 << 20)), (1, b"")]:
        c.send(ws, frame(opcode, payload))
        f = c.next_frame(ws)
        echoes.append({"opcode": f["opcode"], "len": len(f["payload"]), "same": f["payload"] == payload})
    out["ws"]["echoes"] = echoes
    c.send(ws, frame(9, b"ping!"))
    f = c.next_frame(ws)
    out["ws"]["pong"] = {"opcode": f["opcode"], "payload": f["payload"].decode()}

    # A second WebSocket while the first is open: two streams, one connection.
    ws2 = c.websocket("/second")
    c.send(ws2, frame(1, b"two"))
    c.send(ws, frame(1, b"one"))
    out["concurrent"] = [c.next_frame(ws)["payload"].decode(), c.next_frame(ws2)["payload"].decode()]

    # The closing handshake, then the server ends the stream (END_STREAM).
    c.send(ws, frame(8, struct.pack("!H", 1000) + b"bye"))
    f = c.next_frame(ws)
    out["ws"]["close"] = {"opcode": f["opcode"], "code": struct.unpack("!H", f["payload"][:2])[0], "reason": f["payload"][2:].decode()}
    c.conn.end_stream(ws)
    c.flush()
    c.until(lambda: c.streams[ws]["ended"] or c.streams[ws]["reset"] is not None)
    out["ws"]["endStream"] = c.streams[ws]["ended"]
    out["ws"]["reset"] = c.streams[ws]["reset"]

    # A protocol violation: an unmasked frame is closed with 1002 (RFC 6455 §5.1).
    c.send(ws2, bytes([0x81, 0x02]) + b"no")
    f = c.next_frame(ws2)
    out["violation"] = {"opcode": f["opcode"], "code": struct.unpack("!H", f["payload"][:2])[0]}

    # Refused: a wrong version is 400 with sec-websocket-version: 13 (RFC 8441 §5, RFC 6455 §4.4).
    bad = c.request([(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "https"),
                     (":path", "/bad"), (":authority", c.authority), ("sec-websocket-version", "8")], end_stream=False)
    c.until(lambda: c.streams[bad]["ended"] or c.streams[bad]["reset"] is not None)
    hb = dict(c.streams[bad]["headers"] or [])
    out["refused"] = {"status": hb.get(":status"), "version": hb.get("sec-websocket-version"),
                      "body": c.streams[bad]["data"].decode(errors="replace")}

    c.conn.close_connection()
    c.flush()
    c.sock.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
