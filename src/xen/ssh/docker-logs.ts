/**
 * `docker logs` as chat can show it: the multiplexed stream framing (an 8-byte header per frame:
 * stream, three zero bytes, big-endian length; docker-over-ssh.md §5.3) split into lines in the order
 * they were written, the last `tail` kept, control characters and ANSI escape sequences removed (a
 * container's output must not move a terminal's cursor or forge a mention), and a size cap that keeps
 * the newest lines and says how many older ones were cut.
 */

export interface LogLimits {
  /** Lines at most (Docker applies `tail` too; this bounds what a misbehaving daemon sends). */
  readonly tail: number
  /** Bytes of text at most, counted after cleaning. */
  readonly maxBytes: number
}

/** ANSI CSI / OSC sequences and other escapes, then any remaining C0/C1 control character but tab. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point: they are removed.
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point: they are removed.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g

export function cleanLine(line: string): string {
  return line.replace(ANSI, '').replace(CONTROL, '').replace(/\r$/, '')
}

/** The payloads of a multiplexed buffer, in order; a buffer that is not multiplexed (TTY) is one payload. */
export function demultiplex(buffer: Buffer): string {
  const parts: Buffer[] = []
  let offset = 0
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset]
    const size = buffer.readUInt32BE(offset + 4)
    const framed = (stream === 0 || stream === 1 || stream === 2) && buffer.readUIntBE(offset + 1, 3) === 0
    if (!framed) break
    parts.push(buffer.subarray(offset + 8, Math.min(buffer.length, offset + 8 + size)))
    offset += 8 + size
  }
  // A TTY container's logs come raw, without frames.
  if (offset === 0 && buffer.length > 0) return buffer.toString('utf8')
  return Buffer.concat(parts).toString('utf8')
}

/** The lines to show, newest last; when the cap cut some, the first line says how many. */
export function logLines(buffer: Buffer, limits: LogLimits): string[] {
  const text = demultiplex(buffer)
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  const recent = lines.slice(-Math.max(0, limits.tail)).map(cleanLine)
  const kept: string[] = []
  let bytes = 0
  for (let i = recent.length - 1; i >= 0; i--) {
    const line = recent[i] ?? ''
    bytes += Buffer.byteLength(line) + 1
    if (bytes > limits.maxBytes) break
    kept.unshift(line)
  }
  const cut = recent.length - kept.length
  return cut > 0
    ? [`… ${cut} earlier line${cut === 1 ? '' : 's'} not shown (over ${limits.maxBytes} bytes)`, ...kept]
    : kept
}
