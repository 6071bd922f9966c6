/**
 * What the server uses from the firmware core, in one place, through its public API
 * (firmware/index.ts): the message codecs and validators shared with the device, the signed
 * manifest, the config validator; and the Node host's crypto port. The server never restates
 * these shapes.
 */
export {
  BOOT_STATES, CHECKIN_REQUEST_MAX_BYTES, DEVICE_ID_PATTERN, FIRMWARE_VERSION_PATTERN, UPDATE_OUTCOME_KINDS, decodeCheckIn, encodeCheckInAnswer,
  PROVISION_REQUEST_MAX_BYTES, decodeProvisionRequest, encodeProvisionAnswer, formatOf,
  decodeManifest, keyId, KeyCache, parseCoseSign1, verifyCoseSign1, validateNodeConfig,
  FirmwareError, isFirmwareError,
  type BrokerAddress, type CheckInAnswer, type CheckInRequest, type CryptoPort, type ErrorCode, type FirmwareManifest, type MessageFormat,
  type NodeConfig, type ProvisionAnswer, type ProvisionRequest,
} from '../firmware/index.js';
export { createNodeCrypto, isWeakEd25519Key } from '../hosts/node/crypto.js';

/** RFC 8032 section 5.1.5: an Ed25519 public key is 32 bytes. */
export const ED25519_PUBLIC_KEY_LENGTH = 32;
