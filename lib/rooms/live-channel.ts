import type Protomux from 'protomux'
import type { Log } from '../log'
import { GuardedChannel } from '../network/guarded-channel'
import { MAX_FRAME_BYTES, ROOM_LIVE_CHANNEL } from '../wire/messages'
import type { LiveMessage } from '../wire/messages'

const LIVE_MESSAGES_PER_SECOND = 200


/**
 * The room-live channel on one authenticated connection: live copies of room messages, so an
 * online member sees a message in about a round trip instead of after the Autobase apply.
 */
export class LiveChannel {
  private readonly _channel: GuardedChannel<null, typeof ROOM_LIVE_CHANNEL.messages>

  constructor(mux: Protomux, log: Log, onmessage: (msg: LiveMessage) => void, onclose: () => void) {
    this._channel = new GuardedChannel(mux, {
      spec: ROOM_LIVE_CHANNEL,
      handlers: { message: onmessage },
      log,
      maxFrameBytes: MAX_FRAME_BYTES,
      maxPerSecond: LIVE_MESSAGES_PER_SECOND,
      onopen: () => {},
      onclose
    })
    this._channel.open(null)
  }

  send(msg: LiveMessage): boolean {
    return this._channel.send('message', msg)
  }
}
