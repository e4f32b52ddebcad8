import type { Readable, Writable } from 'stream'
import type { Api } from '../../lib/api/api'
import { JsonRpcServer } from '../../lib/api/json-rpc'
import type { RpcMessage } from '../../lib/api/json-rpc'
import { LineFramer } from './line-framer'

/** The largest request line; JsonRpcServer refuses the same size. */
const MAX_LINE = 1024 * 1024
/** A client that leaves this much of our output unread has stopped reading: we let it go. */
const MAX_UNREAD = 16 * 1024 * 1024

/**
 * JSON-RPC on stdio: one JSON object per line each way. Framing only; the rest is JsonRpcServer.
 * Input is read while output drains (a client that does not read us gets no more answers queued),
 * and a client that stops reading altogether is disconnected, so neither side grows without bound.
 */
export class StdioTransport {
  private readonly _input: Readable
  private readonly _output: Writable
  private readonly _server: JsonRpcServer
  private readonly _log: (msg: string) => void
  private readonly _framer: LineFramer
  private readonly _ended: Promise<void>
  private _end: () => void = () => {}
  private _closed = false

  constructor(api: Api, input: Readable, output: Writable, log: (msg: string) => void) {
    this._input = input
    this._output = output
    this._log = log
    this._server = new JsonRpcServer(api, (msg: RpcMessage) => this._write(msg), log)
    this._ended = new Promise((resolve) => (this._end = resolve))
    this._framer = new LineFramer({
      max: MAX_LINE,
      online: (line) => {
        if (line.trim() !== '') void this._server.receive(line)
      },
      onoversize: (bytes) => {
        log(`stdio: refused a line over ${MAX_LINE} bytes (${bytes} bytes)`)
        this._write({ jsonrpc: '2.0', id: null, error: { code: -32600, message: `message too large: the limit is ${MAX_LINE} bytes` } })
      }
    })
    input.on('data', (chunk: Buffer) => this._framer.push(chunk))
    input.once('end', () => {
      this._framer.end()
      this.close()
    })
    input.once('close', () => this.close())
    // The client went away (EPIPE): nobody is left to answer.
    output.on('error', (err) => {
      log('stdio: output failed: ' + err.message)
      this.close()
    })
    output.on('drain', () => {
      if (!this._closed) input.resume()
    })
  }

  /** Resolves when the input ends or the client was let go. */
  ended(): Promise<void> {
    return this._ended
  }

  close(): void {
    if (this._closed) return
    this._closed = true
    this._server.detach()
    this._input.pause()
    this._input.removeAllListeners('data')
    this._end()
  }

  private _write(msg: RpcMessage): void {
    if (this._closed) return
    if (this._output.writableLength > MAX_UNREAD) {
      this._log(`stdio: the client stopped reading (${this._output.writableLength} bytes unread); disconnecting`)
      this.close()
      return
    }
    // Backpressure: no new requests while our answers wait to be read.
    if (!this._output.write(JSON.stringify(msg) + '\n')) this._input.pause()
  }
}
