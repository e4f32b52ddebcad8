import Hyperbee from 'hyperbee'
import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import type { RoomView, TextSource } from './room-view'

/**
 * The view as the indexers signed it: each view core's own default session (its length is what
 * the indexers signed, and no reorder can touch it) and the bee as of that length.
 *
 * Text is cleared here, never through Autobase's view sessions: those are overlays on these
 * cores, and clearing block n of an overlay moves its dependency on the signed core down to n,
 * so every later block reads as missing and has to be fetched from a peer (issue 14: history
 * vanished while the contact who had it was offline). A block cleared here reads as gone through
 * the overlay too, and the blocks around it stay.
 */
export class SignedView implements TextSource {
  readonly meta: Hyperbee<string, Buffer>
  readonly messages: Hypercore<Buffer>
  readonly edits: Hypercore<Buffer>
  private readonly _bee: Hyperbee<string, Buffer>

  private constructor(bee: Hyperbee<string, Buffer>, messages: Hypercore<Buffer>, edits: Hypercore<Buffer>) {
    this._bee = bee
    this.meta = bee.checkout(Math.max(1, bee.core.length))
    this.messages = messages
    this.edits = edits
  }

  static async open(store: Corestore, view: RoomView): Promise<SignedView> {
    // Same keys and encryption as the view's sessions; passive: nothing new to replicate.
    const own = (core: Hypercore<Buffer>): Hypercore<Buffer> => store.get({ key: core.key, encryption: core.encryption, active: false })
    const cores = [own(view.meta.core), own(view.messages), own(view.edits)]
    try {
      await Promise.all(cores.map((core) => core.ready()))
    } catch (err) {
      await Promise.all(cores.map((core) => core.close()))
      throw err
    }
    const bee = new Hyperbee<string, Buffer>(cores[0], { keyEncoding: 'utf-8', valueEncoding: 'binary', extension: false })
    return new SignedView(bee, cores[1], cores[2])
  }

  async close(): Promise<void> {
    await this.meta.close()
    await this._bee.close()
    await this.messages.close()
    await this.edits.close()
  }
}
