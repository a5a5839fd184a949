/** SCRAM-SHA-256 and md5 password schemes (src/security/scram.ts, md5_auth.ts). */
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";
import {
  computeScramKeys,
  createScramVerifier,
  parseScramVerifier,
  ScramError,
  ScramServer,
  scramVerifyPassword,
} from "../../../src/security/scram.ts";
import {
  createMd5Verifier,
  md5Hex,
  md5SaltedResponse,
  md5VerifyResponse,
} from "../../../src/security/md5_auth.ts";

// RFC 7677 section 3: user "user", password "pencil".
const rfcSalt = new Uint8Array(Buffer.from("W22ZaJ0SNY7soEsUEjb6gQ==", "base64"));
const rfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
const rfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
const rfcServerFirst =
  "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const rfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
  "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const rfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

Deno.test("ScramServer reproduces the RFC 7677 exchange", () => {
  const verifier = parseScramVerifier(createScramVerifier("pencil", { salt: rfcSalt }));
  ok(verifier);
  const server = new ScramServer(verifier, rfcServerNonce);
  strictEqual(server.serverFirst(rfcClientFirst), rfcServerFirst);
  strictEqual(server.serverFinal(rfcClientFinal), rfcServerFinal);
});

Deno.test("ScramServer refuses a wrong proof, a bad nonce and an unknown user", () => {
  const verifier = parseScramVerifier(createScramVerifier("other", { salt: rfcSalt }))!;
  const wrong = new ScramServer(verifier, rfcServerNonce);
  wrong.serverFirst(rfcClientFirst);
  strictEqual(wrong.serverFinal(rfcClientFinal), undefined);
  const unknown = new ScramServer(undefined, rfcServerNonce, rfcSalt);
  strictEqual(unknown.serverFirst(rfcClientFirst), rfcServerFirst);
  strictEqual(unknown.serverFinal(rfcClientFinal), undefined);
  const nonce = new ScramServer(verifier, rfcServerNonce);
  nonce.serverFirst(rfcClientFirst);
  throws(() => nonce.serverFinal(rfcClientFinal.replace("rOpr", "xOpr")), ScramError);
  throws(() => new ScramServer(verifier, "n").serverFirst("garbage"), ScramError);
  throws(
    () => new ScramServer(verifier, "n").serverFirst("p=tls-server-end-point,,n=,r=abc"),
    ScramError,
  );
});

Deno.test("SCRAM round trip with a client computed independently", () => {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const verifierText = createScramVerifier("correct horse", { salt, iterations: 100 });
  const v = parseScramVerifier(verifierText)!;
  strictEqual(v.iterations, 100);
  deepStrictEqual(v.salt, salt);
  ok(scramVerifyPassword(v, "correct horse"));
  ok(!scramVerifyPassword(v, "correct horse!"));

  const server = new ScramServer(v, ScramServer.randomNonce());
  const clientNonce = "fyko+d2lbbFgONRv9qkxdawL";
  const clientFirstBare = `n=,r=${clientNonce}`;
  const serverFirst = server.serverFirst(`n,,${clientFirstBare}`);
  const attrs = Object.fromEntries(serverFirst.split(",").map((p) => [p[0], p.slice(2)]));
  ok(attrs.r!.startsWith(clientNonce));
  const keys = computeScramKeys(
    "correct horse",
    new Uint8Array(Buffer.from(attrs.s!, "base64")),
    Number(attrs.i),
  );
  const withoutProof = `c=biws,r=${attrs.r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const storedKey = createHash("sha256").update(keys.clientKey).digest();
  const signature = createHmac("sha256", storedKey).update(authMessage).digest();
  const proof = Buffer.from(keys.clientKey.map((b, i) => b ^ signature[i]!)).toString("base64");
  const final = server.serverFinal(`${withoutProof},p=${proof}`);
  const expected = createHmac("sha256", keys.serverKey).update(authMessage).digest("base64");
  strictEqual(final, `v=${expected}`);
});

Deno.test("parseScramVerifier rejects other formats", () => {
  strictEqual(parseScramVerifier("md5abc"), undefined);
  strictEqual(parseScramVerifier("SCRAM-SHA-256$0:c2FsdA==$AAAA:AAAA"), undefined);
  strictEqual(parseScramVerifier("plain"), undefined);
});

Deno.test("md5 verifiers and salted responses match PostgreSQL's scheme", () => {
  // md5("secret" + "alice") as PostgreSQL stores it in pg_authid.
  strictEqual(md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  const v = createMd5Verifier("alice", "secret");
  strictEqual(v, "md5" + md5Hex("secretalice"));
  const salt = new Uint8Array([1, 2, 3, 4]);
  const inner = Buffer.concat([Buffer.from(v.slice(3)), Buffer.from(salt)]);
  const response = "md5" + createHash("md5").update(inner).digest("hex");
  strictEqual(md5SaltedResponse(v, salt), response);
  ok(md5VerifyResponse(v, salt, response));
  ok(!md5VerifyResponse(v, new Uint8Array([1, 2, 3, 5]), response));
  ok(!md5VerifyResponse("plain", salt, response));
});
