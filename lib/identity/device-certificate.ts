import b4a from 'b4a'
import c from 'compact-encoding'
import type { Encoding } from 'compact-encoding'
import sodium from 'sodium-universal'
import { struct } from '../wire/struct'

const DEVICE_DOMAIN = 'peerline/device/v1'

/**
 * A linked device's certificate: the identity key vouches that `device` (that device's own Noise
 * key) speaks for the person whose number `identity` derives to, until `expires` (ms; 0: until
 * removed). A contact that pinned `identity` accepts a hello from `device` carrying it: one
 * person, one safety code, several devices.
 */
export interface DeviceCertificate {
  identity: Buffer
  device: Buffer
  expires: number
  signature: Buffer
}

// Nested inside the hello, so it never grows: a new field means a new certificate record.
export const deviceCertificate: Encoding<DeviceCertificate> = struct<DeviceCertificate>({
  identity: c.fixed32,
  device: c.fixed32,
  expires: c.uint,
  signature: c.fixed64
})

/** What the identity key signs: domain, both keys, the number and the expiry. */
export function deviceSignable(identity: Buffer, device: Buffer, number: string, expires: number): Buffer {
  const out = b4a.alloc(32)
  sodium.crypto_generichash(out, b4a.concat([b4a.from(DEVICE_DOMAIN), identity, device, c.encode(c.uint, expires), b4a.from(number)]))
  return out
}

/** A certificate for `device`, signed with the identity's secret key (only the identity's device does this). */
export function certifyDevice(identity: { publicKey: Buffer; secretKey: Buffer }, number: string, device: Buffer, expires = 0): DeviceCertificate {
  const signature = b4a.alloc(sodium.crypto_sign_BYTES)
  sodium.crypto_sign_detached(signature, deviceSignable(identity.publicKey, device, number, expires), identity.secretKey)
  return { identity: identity.publicKey, device, expires, signature }
}

/** Why a certificate is refused, or null when it checks out for this connection's key and number. */
export function refuseCertificate(cert: DeviceCertificate, connectionKey: Buffer, number: string, now = Date.now()): string | null {
  if (!b4a.equals(cert.device, connectionKey)) return 'a device certificate for another key'
  if (cert.expires !== 0 && cert.expires < now) return 'an expired device certificate'
  const ok =
    cert.signature.byteLength === sodium.crypto_sign_BYTES &&
    cert.identity.byteLength === sodium.crypto_sign_PUBLICKEYBYTES &&
    sodium.crypto_sign_verify_detached(cert.signature, deviceSignable(cert.identity, cert.device, number, cert.expires), cert.identity)
  return ok ? null : 'a device certificate the identity key did not sign'
}
