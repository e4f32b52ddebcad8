import type Protomux from 'protomux'
import type { Log } from '../log'
import { GuardedChannel, message } from '../network/guarded-channel'
import * as schema from '../wire/schemas'
import { empty } from '../wire/struct'
import type { LiveMessage } from '../wire/schemas'

const LIVE_MESSAGES_PER_SECOND = 200


/**
 * The room-live channel on one authenticated connection: live copies of room messages, so an
 * online member sees a message in about a round trip instead of after the Autobase apply.
 */
export class LiveChannel {
  private readonly _channel: GuardedChannel<null>

  constructor(mux: Protomux, log: Log, onmessage: (msg: LiveMessage) => void, onclose: () => void) {
    this._channel = new GuardedChannel<null>(mux, {
      protocol: schema.ROOM_LIVE_PROTOCOL,
      handshake: empty,
      messages: [message(schema.liveMessage, onmessage)],
      log,
      maxFrameBytes: schema.MAX_FRAME_BYTES,
      maxPerSecond: LIVE_MESSAGES_PER_SECOND,
      onopen: () => {},
      onclose
    })
    this._channel.open(null)
  }

  send(msg: LiveMessage): boolean {
    return this._channel.send(0, schema.liveMessage, msg)
  }
}
