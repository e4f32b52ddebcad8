import WebSocket from 'ws'

/** Opens a WebSocket with these headers; answers 'open' or the HTTP status it was refused with. */
export function dial(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers })
    ws.on('open', () => {
      ws.close()
      resolve('open')
    })
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)))
    ws.on('error', (err) => resolve('error: ' + err.message))
  })
}
