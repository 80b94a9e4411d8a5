/** When the chat is interactive: only with a person on both ends of a terminal. */
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { isInteractive } from '../../src/main.js'

const io = (stdinTTY: boolean | undefined, stdoutTTY: boolean | undefined) => ({
  stdin: Object.assign(new PassThrough(), { isTTY: stdinTTY }),
  stdout: Object.assign(new PassThrough(), { isTTY: stdoutTTY }),
  stderr: new PassThrough(),
})

describe('isInteractive', () => {
  it('is true only when stdin and stdout are both terminals', () => {
    expect(isInteractive(io(true, true))).toBe(true)
    // `npm start | tee demo.txt`: the file gets a plain transcript, no cursor movements.
    expect(isInteractive(io(true, undefined))).toBe(false)
    expect(isInteractive(io(true, false))).toBe(false)
    // A script piped in.
    expect(isInteractive(io(undefined, true))).toBe(false)
    expect(isInteractive(io(false, false))).toBe(false)
  })
})
