// Cross-checks otaseal's Ed25519 keys, DSSE PAE and signatures against Node's OpenSSL.
// Driven by tests/node_interop.rs:  node tests/node/interop.mjs JOBFILE
//
// JOBFILE (written by the Rust test):
//   {"outDir": DIR,
//    "keys": [{"pkcs8Pem", "spkiPem", "publicHex", "keyid"}],
//    "envelopes": [{"json": ENVELOPE_JSON, "payloadType", "payloadB64", "paeB64",
//                   "signatures": [{"key": INDEX, "keyid", "sigB64"}]}]}
//
// Checks (a) our PEMs import and carry our raw key; (b) our signatures verify over our PAE, and
// the PAE recomputed here from payloadType + payload is byte-identical; (d) tampered signatures
// and messages are refused. Then (c) generates Node's own keys, signs, builds envelopes and
// writes DIR/node-out.json for the Rust side to check. Any disagreement is listed on stderr
// and the exit status is 1. Crypto is node:crypto only.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const TRUST_ROOT_PAYLOAD_TYPE = 'application/vnd.otaseal.trust-root+json; version=1';
const INTEROP_PAYLOAD_TYPE = 'application/vnd.otaseal.interop+json; version=1';

const failures = [];
function check(ok, what) {
  if (!ok) failures.push(what);
  return ok;
}

const b64 = (buf) => Buffer.from(buf).toString('base64');
const unb64 = (text) => Buffer.from(text, 'base64');
const sha256hex = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

// DSSE v1 pre-authentication encoding, written from the spec (protocol.md):
// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN in bytes, ASCII decimal.
function pae(payloadType, body) {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'ascii'),
    type,
    Buffer.from(` ${body.length} `, 'ascii'),
    body,
  ]);
}

function flipBit(buf, bit) {
  const out = Buffer.from(buf);
  out[bit >> 3] ^= 1 << (bit & 7);
  return out;
}

// Raw 32-byte public key of a KeyObject (private or public), via JWK.
function rawPublic(keyObject) {
  const jwk = keyObject.export({ format: 'jwk' });
  return Buffer.from(jwk.x, 'base64url');
}

function pemBodyDer(pem) {
  return Buffer.from(
    pem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join(''),
    'base64',
  );
}

function toPem(label, der) {
  const lines = der.toString('base64').match(/.{1,64}/g);
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

const jobFile = process.argv[2];
if (!jobFile) {
  process.stderr.write('usage: node tests/node/interop.mjs JOBFILE\n');
  process.exit(2);
}
const job = JSON.parse(fs.readFileSync(jobFile, 'utf8'));

// (a) Our keys in Node.
const ours = job.keys.map((k, i) => {
  const priv = crypto.createPrivateKey({ key: k.pkcs8Pem, format: 'pem' });
  const pub = crypto.createPublicKey({ key: k.spkiPem, format: 'pem' });
  const label = `rust key ${i}`;
  check(priv.asymmetricKeyType === 'ed25519', `${label}: PKCS#8 is ${priv.asymmetricKeyType}, not ed25519`);
  check(pub.asymmetricKeyType === 'ed25519', `${label}: SPKI is ${pub.asymmetricKeyType}, not ed25519`);
  const fromPriv = rawPublic(priv).toString('hex');
  const fromPub = rawPublic(pub).toString('hex');
  check(fromPriv === k.publicHex, `${label}: public key from our PKCS#8 is ${fromPriv}, ours is ${k.publicHex}`);
  check(fromPub === k.publicHex, `${label}: public key from our SPKI is ${fromPub}, ours is ${k.publicHex}`);
  check(sha256hex(Buffer.from(k.publicHex, 'hex')) === k.keyid, `${label}: keyid ${k.keyid} is not SHA-256 of the key`);
  // OpenSSL re-encodes our keys to exactly the DER we wrote (PKCS#8 v1, SPKI).
  const pkcs8Der = priv.export({ type: 'pkcs8', format: 'der' });
  const spkiDer = pub.export({ type: 'spki', format: 'der' });
  check(pkcs8Der.equals(pemBodyDer(k.pkcs8Pem)), `${label}: Node re-encodes our PKCS#8 as ${pkcs8Der.toString('hex')}`);
  check(spkiDer.equals(pemBodyDer(k.spkiPem)), `${label}: Node re-encodes our SPKI as ${spkiDer.toString('hex')}`);
  return { priv, pub };
});

// (b) + (d) Our envelopes and signatures in Node.
job.envelopes.forEach((e, i) => {
  const label = `rust envelope ${i} (${JSON.stringify(e.payloadType)})`;
  const env = JSON.parse(e.json);
  check(
    JSON.stringify(Object.keys(env)) === JSON.stringify(['payloadType', 'payload', 'signatures']),
    `${label}: envelope members ${Object.keys(env)}`,
  );
  check(env.payloadType === e.payloadType, `${label}: payloadType in the JSON is ${JSON.stringify(env.payloadType)}`);
  check(env.payload === e.payloadB64, `${label}: payload in the JSON differs`);
  const body = unb64(env.payload);
  check(b64(body) === env.payload, `${label}: payload Base64 is not canonical`);
  const mine = pae(env.payloadType, body);
  const theirs = unb64(e.paeB64);
  check(mine.equals(theirs), `${label}: PAE differs: node ${mine.toString('hex')} / rust ${theirs.toString('hex')}`);
  check(env.signatures.length === e.signatures.length, `${label}: ${env.signatures.length} signatures in the JSON`);

  e.signatures.forEach((s, j) => {
    const sl = `${label} signature ${j}`;
    const { priv, pub } = ours[s.key];
    const inJson = env.signatures[j] || {};
    check(inJson.keyid === s.keyid && inJson.sig === s.sigB64, `${sl}: JSON entry differs`);
    check(s.keyid === job.keys[s.key].keyid, `${sl}: keyid is not the signer's`);
    const sig = unb64(s.sigB64);
    check(sig.length === 64, `${sl}: ${sig.length} bytes`);
    check(crypto.verify(null, mine, pub, sig), `${sl}: Node does not verify it over the PAE`);
    // Ed25519 is deterministic: Node signing the same PAE with our private key gives our bytes.
    const again = crypto.sign(null, mine, priv);
    check(again.equals(sig), `${sl}: Node's signature with our key is ${again.toString('hex')}`);
    // (d) Tampering.
    for (const bit of [0, 7, 255, 256, 500, 511]) {
      check(!crypto.verify(null, mine, pub, flipBit(sig, bit)), `${sl}: signature with bit ${bit} flipped verifies`);
    }
    for (const bit of [0, mine.length * 4, mine.length * 8 - 1]) {
      check(!crypto.verify(null, flipBit(mine, bit), pub, sig), `${sl}: PAE with bit ${bit} flipped verifies`);
    }
    check(!crypto.verify(null, body, pub, sig), `${sl}: verifies over the bare payload, not the PAE`);
  });
});

// (c) Node's own keys, signatures and envelopes.
const nodeKeys = [0, 1].map(() => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d, 'base64url');
  const raw = Buffer.from(jwk.x, 'base64url');
  check(rawPublic(publicKey).equals(raw), 'node key: public JWK x differs from private JWK x');
  return { privateKey, publicKey, seed, raw, keyid: sha256hex(raw) };
});

// PKCS#8 v2 (RFC 5958 OneAsymmetricKey, version 1, [1] IMPLICIT publicKey), built by hand:
// OpenSSL 3.0 (Node 20) writes only v1, and cannot read this form itself.
function pkcs8V2(seed, raw) {
  return Buffer.concat([
    Buffer.from('3051020101300506032b657004220420', 'hex'),
    seed,
    Buffer.from('812100', 'hex'),
    raw,
  ]);
}

const messages = [Buffer.alloc(0), Buffer.from('abc'), crypto.randomBytes(1000)];
const out = {
  keys: nodeKeys.map((k, i) => {
    const other = nodeKeys[1 - i];
    return {
      pkcs8Pem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      pkcs8V2Pem: toPem('PRIVATE KEY', pkcs8V2(k.seed, k.raw)),
      // A v2 document whose embedded public key is another key's: must be refused.
      pkcs8V2MismatchPem: toPem('PRIVATE KEY', pkcs8V2(k.seed, other.raw)),
      spkiPem: k.publicKey.export({ type: 'spki', format: 'pem' }),
      publicHex: k.raw.toString('hex'),
      keyid: k.keyid,
    };
  }),
  signatures: [],
  envelopes: {},
};

nodeKeys.forEach((k, key) => {
  for (const m of messages) {
    const sig = crypto.sign(null, m, k.privateKey);
    check(crypto.verify(null, m, k.publicKey, sig), 'node: own signature does not verify');
    out.signatures.push({ key, messageB64: b64(m), sigB64: b64(sig) });
  }
});

function envelope(payloadType, body, signers) {
  const message = pae(payloadType, body);
  return {
    payloadType,
    payload: b64(body),
    signatures: signers.map((k) => ({ keyid: k.keyid, sig: b64(crypto.sign(null, message, k.privateKey)) })),
  };
}

// A self-signed trust root (docs/FORMAT.md §4.1, §4.4) listing Node's keys, threshold 2.
const rootDoc = {
  _type: 'otaseal/trust-root/v1',
  version: 1,
  threshold: 2,
  keys: nodeKeys.map((k) => ({ keyid: k.keyid, scheme: 'ed25519', public: k.raw.toString('hex') })),
};
const rootEnv = envelope(TRUST_ROOT_PAYLOAD_TYPE, Buffer.from(JSON.stringify(rootDoc, null, 2)), nodeKeys);
out.envelopes.trustRoot = JSON.stringify(rootEnv, null, 2);

// A binary payload (not UTF-8) signed by both keys.
const binary = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x80]), crypto.randomBytes(300)]);
out.envelopes.binary = JSON.stringify(envelope(INTEROP_PAYLOAD_TYPE, binary, nodeKeys));

// The same, with the second signature tampered: only one valid signer remains.
const tampered = envelope(INTEROP_PAYLOAD_TYPE, binary, nodeKeys);
const badSig = flipBit(unb64(tampered.signatures[1].sig), 3);
check(!crypto.verify(null, pae(INTEROP_PAYLOAD_TYPE, binary), nodeKeys[1].publicKey, badSig), 'node: tampered verifies');
tampered.signatures[1].sig = b64(badSig);
out.envelopes.oneTampered = JSON.stringify(tampered);

// Co-signing: Node's first key adds its signature to our first envelope.
{
  const env = JSON.parse(job.envelopes[0].json);
  const message = pae(env.payloadType, unb64(env.payload));
  env.signatures.push({ keyid: nodeKeys[0].keyid, sig: b64(crypto.sign(null, message, nodeKeys[0].privateKey)) });
  out.envelopes.coSigned = JSON.stringify(env, null, 2);
}

fs.writeFileSync(path.join(job.outDir, 'node-out.json'), JSON.stringify(out, null, 2));

if (failures.length > 0) {
  process.stderr.write(`${failures.length} Node/otaseal disagreement(s):\n${failures.join('\n')}\n`);
  process.exit(1);
}
