import b4a from 'b4a'
import type { DeviceInfo, Result } from '../../contract'
import { PeerlineError } from '../../errors'
import { MEMBER_ACTIVE } from '../../wire/schemas'
import { optInt, str } from '../params'
import { none } from './handler'
import type { HandlerContext, HandlerTable } from './handler'

/** Linked devices: a link on the device with the phrase, linking on a new one, the list, removal. */
export const deviceHandlers: HandlerTable<'devices'> = {
  createDeviceLink: { params: (p) => ({ expires: optInt(p, 'expires', 1, 86_400) }), run: ({ core }, p) => core.deviceLinks.create(p.expires) },
  linkDevice: { params: (p) => ({ link: str(p, 'link') }), run: (ctx, p) => ctx.linkDevice(p.link) },
  listDevices: { params: none, run: listDevices },
  removeDevice: { params: (p) => ({ device: str(p, 'device') }), run: removeDevice }
}

async function listDevices({ core }: HandlerContext): Promise<Result<'listDevices'>> {
  const { identity, deviceLinks } = core
  const own = identity.keyPair.publicKey
  // A linked device learns its person's devices from the profile the first device writes.
  const linked = identity.linked ? ((await core.profileSync.profile.read()).devices ?? []) : deviceLinks.list()
  const entry = (device: Buffer, name: string): DeviceInfo => {
    const current = b4a.equals(device, own)
    return { device: b4a.toString(device, 'hex'), name, current, lastSeen: current ? Date.now() : deviceLinks.lastSeen(device) }
  }
  return [entry(identity.publicKey, 'with the recovery phrase'), ...linked.filter((d) => d.removed === 0).map((d) => entry(d.device, d.name))]
}

/** Every room drops the device's writer (an admin's removal also starts a new epoch), then the profile. */
async function removeDevice({ core }: HandlerContext, p: { device: string }): Promise<Result<'removeDevice'>> {
  if (core.identity.linked) throw PeerlineError.NOT_ALLOWED('Remove devices from the device that holds the recovery phrase.')
  if (!/^[0-9a-f]{64}$/.test(p.device)) throw PeerlineError.BAD_REQUEST('device must be a device key in hex')
  const device = b4a.from(p.device, 'hex')
  if (!core.deviceLinks.list().some((d) => b4a.equals(d.device, device) && d.removed === 0)) throw PeerlineError.BAD_REQUEST('No linked device has that key.')
  for (const entry of core.rooms.list()) {
    if (entry.broken !== null) continue
    const room = await core.rooms.open(entry.id)
    for (const d of await room.devices()) if (d.state === MEMBER_ACTIVE && b4a.equals(d.device, device)) await room.removeDevice(d.writerKey)
  }
  core.deviceLinks.markRemoved(device)
  return {}
}
