/** Crypto: streamed SHA-256 and Ed25519 verification. Owned by the device OTA issue (#4). */
export interface Sha256 {
  update(bytes: Uint8Array): void;
  digest(): Uint8Array;
}
export interface CryptoPort {
  sha256(): Sha256;
  verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}
