import crypto from 'hypercore-crypto'
import { spawn } from 'child_process'
import path from 'path'

/** Baseline: ping-pong of 32-byte frames between two bare Hyperswarm peers, each its own process. */
export async function rawPing(bootstrap: string, count: number, gap: number): Promise<number[]> {
  const script = path.join(__dirname, 'raw-ping-peer.js')
  const topic = crypto.randomBytes(32).toString('hex')
  const echo = spawn(process.execPath, [script, 'echo', bootstrap, topic], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    await new Promise((resolve) => echo.stdout.once('data', resolve))
    const out = await new Promise<string>((resolve, reject) => {
      const ping = spawn(process.execPath, [script, 'ping', bootstrap, topic, String(count + 50), String(gap)], {
        stdio: ['ignore', 'pipe', 'inherit']
      })
      let text = ''
      ping.stdout.on('data', (d: Buffer) => (text += d))
      ping.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error('ping peer exited with ' + code))))
    })
    return (JSON.parse(out) as number[]).slice(50)
  } finally {
    echo.kill('SIGTERM')
  }
}
