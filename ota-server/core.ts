/**
 * What the server uses from the firmware core, in one place: the message codecs and
 * validators shared with the device, the signed manifest, the Node crypto port. The server
 * never restates these shapes. (Deep imports until the owners export them from
 * firmware/index.ts; only this file would change then.)
 */
export { FirmwareError, isFirmwareError, type ErrorCode, type CryptoPort } from '../firmware/index.js';
export {
  BOOT_STATES, CHECKIN_REQUEST_MAX_BYTES, DEVICE_ID_PATTERN, FIRMWARE_VERSION_PATTERN, UPDATE_OUTCOME_KINDS, decodeCheckIn, encodeCheckInAnswer,
  type CheckInAnswer, type CheckInRequest,
} from '../firmware/messages/checkin.js';
export {
  PROVISION_REQUEST_MAX_BYTES, decodeProvisionRequest, encodeProvisionAnswer, type ProvisionAnswer, type ProvisionRequest, type BrokerAddress,
} from '../firmware/messages/provision.js';
export { formatOf, type MessageFormat } from '../firmware/messages/format.js';
export { decodeManifest, type FirmwareManifest } from '../firmware/ota/manifest.js';
export { keyId, parseCoseSign1, verifyCoseSign1, ED25519_PUBLIC_KEY_LENGTH } from '../firmware/ota/cose.js';
export { createNodeCrypto, isWeakEd25519Key } from '../hosts/node/crypto.js';
export { validateNodeConfig, type NodeConfig } from '../firmware/node/config.js';
