#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ from the crate's test vectors
(tests/handshake_vectors.rs, tests/frame_vectors.rs, the RFC 6455 examples). Each seed starts
with the option bytes its target reads first (see the target's doc comment). Re-run after
changing a target's input layout; the files are committed."""
import hashlib, os, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
KEY = "dGhlIHNhbXBsZSBub25jZQ=="
ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

def hx(s):
    return bytes.fromhex(s.replace(" ", ""))

def write(target, seeds):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    for name, data in seeds:
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

def req(extra=(), drop=(), start="GET /chat HTTP/1.1"):
    std = ["Host: server.example.com", "Upgrade: websocket", "Connection: Upgrade",
           f"Sec-WebSocket-Key: {KEY}", "Sec-WebSocket-Version: 13"]
    lines = [start] + [h for h in std if not any(h.startswith(d + ":") for d in drop)] + list(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()

def res(extra=(), status="HTTP/1.1 101 Switching Protocols", accept=ACCEPT):
    lines = [status, "Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Accept: {accept}"] + list(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()

# request: [opt][wb if opt&1==0][2 limit bytes if opt&8][pattern if opt&0x80]...
DEFLATE = b"\x00\xff"   # deflate on, window bits 15/15
PLAIN = b"\x01"         # no deflate
write("request", [
    ("rfc6455", PLAIN + req(["Origin: https://example.com", "Sec-WebSocket-Protocol: chat, superchat"])),
    ("deflate", DEFLATE + req(["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\"10\", permessage-deflate"])),
    ("deflate_bad", DEFLATE + req(["Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=16; server_no_context_takeover, x-foo; a=1"])),
    ("wildcard_origin", PLAIN + req(["Origin: http://a.example.org:8080", "Sec-WebSocket-Protocol: v2.json.example"])),
    ("post_v8", PLAIN + req(["Sec-WebSocket-Version: 8", "Origin: https://evil"], drop=["Sec-WebSocket-Version"], start="POST / HTTP/1.0")),
    ("frames_after", PLAIN + req() + hx("81 85 37 fa 21 3d 7f 9f 4d 51 58")),
    ("own_pattern", b"\x83\x14https://*.example.net" + req(["Origin: https://x.example.net"])),
    ("tiny_limits", b"\x09\x10\x03" + req()),
])

# response: [opt: request variant 0..3, 4 = tiny limits][limits?][response]
write("response", [
    ("plain", b"\x00" + res()),
    ("protocol", b"\x01" + res(["Sec-WebSocket-Protocol: chat"])),
    ("deflate", b"\x02" + res(["Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_max_window_bits=10"])),
    ("both", b"\x03" + res(["Sec-WebSocket-Protocol: superchat", "Sec-WebSocket-Extensions: permessage-deflate"]) + hx("81 05 48 65 6c 6c 6f")),
    ("bad_accept", b"\x00" + res(accept="AAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
    ("reject_400", b"\x00" + b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"),
    ("tiny_limits", b"\x04\x08\x02" + res()),
])

# extensions: [window-bits byte][value]
write("extensions", [
    ("deflate", b"\x00permessage-deflate"),
    ("full", b"\x3apermessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits"),
    ("quoted", b"\x07permessage-deflate; client_max_window_bits=\"10\", permessage-deflate"),
    ("fallback", b"\x00permessage-deflate; server_max_window_bits=16, permessage-deflate; client_max_window_bits=9"),
    ("others", b"\x80x-foo; a=1, mux; max-channels=4; flow-control, , deflate-stream"),
    ("bad", b"\x00permessage-deflate; =x"),
])

write("frame_header", [
    ("text_hello", hx("81 05")),
    ("masked", hx("81 85 37 fa 21 3d")),
    ("len16", hx("82 7E 01 00")),
    ("len64", hx("82 7F 00 00 00 00 00 01 00 00")),
    ("len64_masked", hx("82 FF 00 00 00 00 00 01 00 00 01 02 03 04")),
    ("nonminimal", hx("82 7E 00 05")),
    ("msb", hx("82 7F 80 00 00 00 00 00 00 00")),
    ("rsv_close", hx("f8 80 00 00 00 00")),
])

# decoder_*: [config a][config b][seed len][seed...][stream]
UNMASKED = [
    ("hello", "81 05 48 65 6c 6c 6f"),
    ("fragmented_ping", "01 03 48 65 6c 89 00 80 02 6c 6f"),
    ("utf8_split", "01 01 e2 80 01 82 80 01 ac"),
    ("close_bye", "88 05 03 e8 62 79 65"),
    ("bad_utf8", "01 02 41 42 00 02 ff 41"),
    ("len16", "82 7E 00 05 0102030405"),
    ("many", "81 01 41 82 02 01 02 89 00 8a 00 88 02 0b b8"),
]
MASKED = [
    ("hello", "81 85 37 fa 21 3d 7f 9f 4d 51 58"),
    ("ping", "89 85 37 fa 21 3d 7f 9f 4d 51 58"),
    ("close_1000", "88 82 00 00 00 00 03 e8"),
    ("fragments", "01 83 00 00 00 00 48 65 6c 80 82 00 00 00 00 6c 6f"),
    ("unmasked", "81 01 41"),
    ("rsv1", "c1 85 37 fa 21 3d 7f 9f 4d 51 58"),
    ("len16", "82 FE 01 00 01 02 03 04" + " 00" * 256),
]
def decoder_seeds(vectors):
    out = []
    for name, h in vectors:
        out.append((name, b"\x00\x00\x00" + hx(h)))
        out.append((name + "_split", b"\x00\x00\x03\x01\x02\x05" + hx(h)))
    out.append(("small_limits_rsv1", b"\x4a\x02\x01\x01" + hx(vectors[0][1])))
    return out
write("decoder_client", decoder_seeds(UNMASKED))
write("decoder_server", decoder_seeds(MASKED))

# connection: [role][config a][config b] then ops (see fuzz_targets/connection.rs)
def lp(b):
    return bytes([len(b)]) + b
write("connection", [
    ("server_echo", b"\x00\x00\x00" + b"\x00" + lp(hx("81 85 37 fa 21 3d 7f 9f 4d 51 58")) + b"\x02" + lp(b"Hello") + b"\x0a"),
    ("client_sends", b"\x01\x00\x03" + b"\x02" + lp(b"fragmented text") + b"\x03" + lp(b"\x00\x01\x02") + b"\x05\x02hi" + b"\x07\x01\x03\xe8" + lp(b"bye") + b"\x0a"),
    ("raw_rsv1", b"\x00\x40\x00" + b"\x04\x01\x01" + lp(b"\xff\xfe") + b"\x04\x02\x00" + lp(b"abc") + b"\x09\x03\x0a"),
    ("close_then_eof", b"\x01\x20\x00" + b"\x01" + lp(hx("88 02 03 e8")) + b"\x02" + lp(b"late") + b"\x07\x00\x00" + b"\x08\x0b"),
    ("entropy_off", b"\x01\x00\x02" + b"\x0d" + b"\x02" + lp(b"lost") + b"\x0d" + b"\x03" + lp(b"kept") + b"\x0a"),
    ("framed", b"\x00\x00\x00" + b"\x0f\x09" + lp(b"ping") + b"\x0f\x01" + lp(b"text") + b"\x0e\x0a"),
])

write("url", [
    ("ws", b"ws://example.com/chat"),
    ("wss_port_query", b"wss://Example.COM:8443/a/b?x=1&y=2"),
    ("ipv6", b"ws://[::1]:9001"),
    ("query_only", b"http://h?q"),
    ("default_port", b"https://host:443/"),
    ("bad", b"ws://user@host:0/#frag"),
])

# upgrade: [opt][lines]; opt&0x80: the text is an HTTP2-Settings value
write("upgrade", [
    ("websocket", b"\x04Host:example.com\nUpgrade:websocket\nConnection:Upgrade\nSec-WebSocket-Key:" + KEY.encode() + b"\nSec-WebSocket-Version:13"),
    ("h2c", b"\x04Host:example.com\nUpgrade:h2c\nConnection:Upgrade, HTTP2-Settings\nHTTP2-Settings:AAMAAABkAAQAoAAAAAIAAAAA"),
    ("tls", b"\x04Upgrade:TLS/1.2, HTTP/1.1\nConnection:Upgrade"),
    ("extended_connect", b"\x01:method:CONNECT\n:protocol:websocket\n:scheme:https\n:path:/chat\n:authority:server.example.com\nsec-websocket-version:13\nsec-websocket-protocol:chat\nsec-websocket-extensions:permessage-deflate"),
    ("settings", b"\x80AAMAAABkAAQAoAAAAAIAAAAA"),
    ("settings_bad", b"\x80AAIAAAAC"),
])
