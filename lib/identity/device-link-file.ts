import fs from 'fs'
import path from 'path'
import b4a from 'b4a'
import c from 'compact-encoding'
import type { Encoding } from 'compact-encoding'
import { writeDurable } from '../storage/durable-file'
import { struct } from '../wire/struct'
import { deviceCertificate, refuseCertificate } from './device-certificate'
import type { DeviceCertificate } from './device-certificate'

/** Beside identity.seed on a linked device: what makes it speak for its person. */
export const LINK_FILE = 'device.link'

/** What the first device hands a device it links (also what the link file holds). */
export interface DeviceLink {
  certificate: DeviceCertificate
  /** The person's number (checked against the identity key when the link was made). */
  number: string
  /** Opens the person's profile core (contacts and rooms); not the identity seed. */
  profileEncryptionKey: Buffer
}

export const deviceLink: Encoding<DeviceLink> = struct<DeviceLink>({
  certificate: deviceCertificate,
  number: c.string,
  profileEncryptionKey: c.fixed32
})

/** The profile's device link, or null on a device that is not linked (or whose link file is damaged). */
export function readDeviceLink(dir: string): DeviceLink | null {
  let raw: Buffer
  try {
    raw = b4a.from(fs.readFileSync(path.join(dir, LINK_FILE)))
  } catch {
    return null
  }
  try {
    const link = c.decode(deviceLink, raw)
    // Only what still checks out: a damaged file must not make a device speak for anyone.
    return refuseCertificate(link.certificate, link.certificate.device, link.number) === null ? link : null
  } catch {
    return null
  }
}

export function writeDeviceLink(dir: string, link: DeviceLink): void {
  writeDurable(path.join(dir, LINK_FILE), c.encode(deviceLink, link), { mode: 0o600 })
}
