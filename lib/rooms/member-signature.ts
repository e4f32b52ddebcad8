import b4a from 'b4a'
import sodium from 'sodium-universal'

const MEMBER_DOMAIN = 'peerline/member/v1'

/**
 * What a member signs to be in a room: the room (its discovery key), the device writer key and
 * the number of the signing key. Bound to the room and the writer, a signature cannot be replayed
 * into another room or onto someone else's device.
 */
export function memberSignable(discoveryKey: Buffer, writerKey: Buffer, number: string): Buffer {
  const out = b4a.alloc(32)
  sodium.crypto_generichash(out, b4a.concat([b4a.from(MEMBER_DOMAIN), discoveryKey, writerKey, b4a.from(number)]))
  return out
}

/** Ed25519 detached signature of `message` (what Self.sign does with the identity key). */
export function signWith(secretKey: Buffer, message: Buffer): Buffer {
  const signature = b4a.alloc(sodium.crypto_sign_BYTES)
  sodium.crypto_sign_detached(signature, message, secretKey)
  return signature
}

const ROOM_DEVICE_DOMAIN = 'peerline/room-device/v1'

/**
 * What the identity key signs to put one of its linked devices in a room: the room, the device's
 * writer key there, the number and the device's Noise key. Another domain than a member record's,
 * so neither passes for the other.
 */
export function deviceMemberSignable(discoveryKey: Buffer, writerKey: Buffer, number: string, device: Buffer): Buffer {
  const out = b4a.alloc(32)
  sodium.crypto_generichash(out, b4a.concat([b4a.from(ROOM_DEVICE_DOMAIN), discoveryKey, writerKey, device, b4a.from(number)]))
  return out
}

export function verifyDeviceMember(signature: Buffer, publicKey: Buffer, discoveryKey: Buffer, writerKey: Buffer, number: string, device: Buffer): boolean {
  return (
    signature.byteLength === sodium.crypto_sign_BYTES &&
    publicKey.byteLength === sodium.crypto_sign_PUBLICKEYBYTES &&
    sodium.crypto_sign_verify_detached(signature, deviceMemberSignable(discoveryKey, writerKey, number, device), publicKey)
  )
}

export function verifyMember(signature: Buffer, publicKey: Buffer, discoveryKey: Buffer, writerKey: Buffer, number: string): boolean {
  return (
    signature.byteLength === sodium.crypto_sign_BYTES &&
    publicKey.byteLength === sodium.crypto_sign_PUBLICKEYBYTES &&
    sodium.crypto_sign_verify_detached(signature, memberSignable(discoveryKey, writerKey, number), publicKey)
  )
}
