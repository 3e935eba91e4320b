// What a probe reports of the server's certificate chain (wss://): the leaf's subject, issuer,
// names and validity, and the earliest expiry across the chain it presented (what an alert on
// "expires in less than N days" needs; blackbox_exporter's probe_ssl_earliest_cert_expiry).

const DAY_MS = 86400000;

/** One distinguished name as "CN=a, O=b" (node gives an object; values may be arrays). */
function dn(name) {
  if (!name || typeof name !== "object") return null;
  return Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : v}`).join(", ") || null;
}

/** The chain as presented (leaf first), each certificate once; node links it via issuerCertificate. */
function chain(leaf) {
  const certs = [];
  const seen = new Set();
  for (let c = leaf; c && c.fingerprint256 && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    certs.push(c);
  }
  return certs;
}

/** The certificate facts of a connected TLS socket, or null when the server sent none. */
export function certificateInfo(socket, now = Date.now()) {
  const leaf = socket.getPeerCertificate(true);
  if (!leaf || !leaf.valid_to) return null;
  const certs = chain(leaf);
  const expiries = certs.map((c) => Date.parse(c.valid_to)).filter(Number.isFinite);
  const earliest = expiries.length ? Math.min(...expiries) : null;
  const validTo = Date.parse(leaf.valid_to);
  return {
    subject: dn(leaf.subject),
    issuer: dn(leaf.issuer),
    subjectAltName: leaf.subjectaltname ?? null,
    serialNumber: leaf.serialNumber ?? null,
    fingerprint256: leaf.fingerprint256 ?? null,
    validFrom: new Date(Date.parse(leaf.valid_from)).toISOString(),
    validTo: new Date(validTo).toISOString(),
    expiresInDays: Math.floor((validTo - now) / DAY_MS),
    chainLength: certs.length,
    earliestExpiry: earliest === null ? null : new Date(earliest).toISOString(),
  };
}
