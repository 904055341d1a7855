import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";

/** An App's RSA key pair: the PEM the App signs JWTs with and the public key the fake verifies with. */
export interface AppKeyPair {
  /** PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`), the format GitHub hands out. */
  privateKey: string;
  publicKey: KeyObject;
}

/** Generates an RSA 2048 key pair, or derives the public half from a given private key PEM. */
export function appKeyPair(privateKeyPem?: string): AppKeyPair {
  if (privateKeyPem !== undefined) {
    const key = createPrivateKey(privateKeyPem.replace(/\\n/g, "\n"));
    return { privateKey: privateKeyPem, publicKey: createPublicKey(key) };
  }
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(), publicKey };
}
