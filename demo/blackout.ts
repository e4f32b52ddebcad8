// npm run demo:blackout (as root): the internet is gone, five laptops share one Wi-Fi. Builds five
// network namespaces on a bridge with no route out, starts `peerline agent` in each with nothing
// configured, prints a timeline, and deletes everything again.
import { LanNet } from '../harness/lan-net'
import { netnsUnavailable } from '../harness/netns'
import { coldStart } from '../harness/lan-scenario'
import type { Timeline } from '../harness/lan-scenario'
import { shutdown } from '../app/shutdown'

const LABELS: Record<keyof Timeline, string> = {
  ready: 'started',
  discovered: 'discovery',
  firstMessage: 'first message',
  roomSynced: 'room synced',
  mesh: 'full mesh'
}

async function main(): Promise<void> {
  const why = netnsUnavailable()
  if (why) {
    console.error(`demo:blackout needs network namespaces: ${why}. Run it as root on Linux.`)
    process.exit(2)
  }
  console.log('Blackout: 5 hosts on one bridge (10.99.x.0/24), no route out, no bootstrap configured.')
  const t0 = Date.now()
  const net = new LanNet(5)
  shutdown(() => net.close(), { log: (msg) => console.error(msg) })
  try {
    console.log(`${ms(Date.now() - t0)}  namespaces up: ${net.lan.hosts.map((h) => h.address).join(', ')}`)
    const { agents, timeline } = await coldStart(() => net.startAll(), {
      lan: true,
      t0,
      onstep: (step, at, detail) => console.log(`${ms(at)}  ${LABELS[step].padEnd(13)} ${detail}`)
    })
    const status = await agents[2].call('networkStatus')
    console.log(`\nhost ${net.lan.hosts[2].address} says: ${JSON.stringify(status)}`)
    console.log(`first message ${timeline.firstMessage - timeline.ready} ms after the agents were up; room synced ${timeline.roomSynced - timeline.ready} ms after.`)
  } finally {
    await net.close()
    console.log(`${ms(Date.now() - t0)}  torn down: agents stopped, namespaces deleted`)
  }
}

function ms(n: number): string {
  return `+${(n / 1000).toFixed(2)} s`.padStart(9)
}

main().catch((err: Error) => {
  console.error(err.stack)
  process.exit(1)
})
