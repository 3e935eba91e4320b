// Misuse fails loudly: a wrong type is a TypeError and a value out of range a RangeError, each
// naming the argument or option; unknown option names are reported; nothing reaches the wire.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Connection, RawConnection, encodeFrame, decodeFrames, buildRequest, validateRequest } from "ws101";

/** The error `fn` throws (fails the test when it returns). */
function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail("expected a throw");
}

test("sendText(42), receive(\"text\") and other wrong types are TypeErrors naming the argument, with no bytes sent", () => {
  const c = new Connection({ role: "client" });
  for (const [call, name] of [
    [() => c.sendText(42), "sendText"],
    [() => c.sendBinary("x"), "sendBinary"],
    [() => c.sendMessage(42), "sendMessage"],
    [() => c.sendMessage("x", "yes"), "binary"],
    [() => c.receive("text"), "receive"],
    [() => c.ping(42), "ping"],
    [() => c.close("1000"), "close code"],
    [() => c.close(1000, 7), "close reason"],
  ]) {
    const e = thrown(call);
    assert.ok(e instanceof TypeError, `${name}: ${e}`);
    assert.match(e.message, new RegExp(name));
  }
  assert.equal(c.takeOutput(), null, "nothing was queued");
  assert.equal(c.state, "open");
  c.free();
});

test("encodeFrame called positionally is a TypeError, not an empty frame", () => {
  const e = thrown(() => encodeFrame(true, false, false, false, 1, false, null, "hi"));
  assert.ok(e instanceof TypeError);
  assert.match(e.message, /fields must be an object/);
  assert.ok(thrown(() => encodeFrame({ opcode: 16 })) instanceof RangeError);
  assert.match(thrown(() => encodeFrame({ opcod: 1 })).message, /unknown option "opcod"/);
});

test("maxPayload: -1 is a RangeError naming maxPayload; a string is a TypeError; no serde text leaks", () => {
  const e = thrown(() => new Connection({ maxPayload: -1 }));
  assert.ok(e instanceof RangeError, String(e));
  assert.match(e.message, /^maxPayload must be an integer from 0/);
  for (const [options, name] of [
    [{ maxMessageSize: 1.5 }, "maxMessageSize"],
    [{ maxFrameSize: -1 }, "maxFrameSize"],
    [{ fragmentSize: 2 ** 33 }, "fragmentSize"],
    [{ deflateLevel: 10 }, "deflateLevel"],
    [{ deflate: { serverMaxWindowBits: 16 } }, "deflate.serverMaxWindowBits"],
  ]) {
    const r = thrown(() => new Connection(options));
    assert.ok(r instanceof RangeError, `${name}: ${r}`);
    assert.ok(r.message.startsWith(name), r.message);
  }
  const t = thrown(() => new Connection({ maxPayload: "1" }));
  assert.ok(t instanceof TypeError);
  assert.match(t.message, /^maxPayload must be a number/);
});

test("unknown option names are reported: Connection, its deflate parameters, and the raw binding's config", () => {
  assert.match(thrown(() => new Connection({ maxPayloadSize: 1 })).message, /unknown Connection option "maxPayloadSize"/);
  assert.match(thrown(() => new Connection({ deflate: { serverMaxWindow: 10 } })).message, /unknown deflate parameter "serverMaxWindow"/);
  assert.match(thrown(() => buildRequest("ws://h/", { protocol: "chat" })).message, /unknown option "protocol"/);
  assert.match(thrown(() => validateRequest({ method: "GET" }, { origin: "x" })).message, /unknown option "origin"/);
  assert.match(thrown(() => decodeFrames(new Uint8Array(0), "server", { max: 1 })).message, /unknown option "max"/);
  // the layer below Connection checks its config by itself (no serde message)
  const raw = thrown(() => new RawConnection(true, { maxFrameSize: -1 }));
  assert.ok(raw instanceof RangeError);
  assert.match(raw.message, /^config\.maxFrameSize must be an integer from 0/);
  assert.match(thrown(() => new RawConnection(true, { autoPong: "yes" })).message, /config\.autoPong must be a boolean/);
  assert.match(thrown(() => new RawConnection(true, { maxPayload: 1 })).message, /config: unknown option "maxPayload"/);
  assert.match(thrown(() => new RawConnection(true, { deflate: { level: 1 } })).message, /config\.deflate: unknown option "level"/);
});

test("a method after free() is a clear TypeError (not a null dereference); free() twice is fine", () => {
  const c = new Connection();
  c.free();
  c.free();
  for (const call of [() => c.sendText("x"), () => c.receive(new Uint8Array([0x81])), () => c.state, () => c.close(), () => c.takeOutput()]) {
    const e = thrown(call);
    assert.ok(e instanceof TypeError, String(e));
    assert.match(e.message, /used after free\(\)/);
  }
});
