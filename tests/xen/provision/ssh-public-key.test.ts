/**
 * The SSH key check with ssh2's parser: type, size and fingerprint of what is accepted (the fingerprint
 * as `ssh-keygen -lf` prints it, computed here independently from the key's base64), and plain refusals
 * of a private key (with the rotate warning), a short RSA key, junk and several keys.
 */
import { createHash } from 'node:crypto'
import ssh2 from 'ssh2'
import { describe, expect, it } from 'vitest'
import { UserError } from '../../../src/core/errors.js'
import { checkPublicKey } from '../../../src/xen/provision/ssh-public-key.js'

const refusal = (text: string): UserError => {
  try {
    checkPublicKey(text)
  } catch (error) {
    if (error instanceof UserError) return error
    throw error
  }
  throw new Error('expected the key to be refused')
}

const fingerprintOf = (line: string) =>
  `SHA256:${createHash('sha256')
    .update(Buffer.from(line.split(' ')[1] ?? '', 'base64'))
    .digest('base64')
    .replace(/=+$/, '')}`

describe('checkPublicKey', () => {
  it('accepts an ed25519 key and shows its type, size and fingerprint', () => {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'alice@laptop' })
    const facts = checkPublicKey(`  ${pair.public}\n`)
    expect(facts).toEqual({
      type: 'ssh-ed25519',
      bits: 256,
      fingerprint: fingerprintOf(pair.public),
      line: pair.public.trim(),
    })
  })

  it('gives an RSA key its modulus size and an ECDSA key its curve size', () => {
    const rsa = ssh2.utils.generateKeyPairSync('rsa', { bits: 2048 })
    expect(checkPublicKey(rsa.public)).toMatchObject({ type: 'ssh-rsa', bits: 2048 })
    const ecdsa = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 384 })
    expect(checkPublicKey(ecdsa.public)).toMatchObject({ type: 'ecdsa-sha2-nistp384', bits: 384 })
  })

  it('keeps only plain characters of the comment (the line goes into YAML)', () => {
    const pair = ssh2.utils.generateKeyPairSync('ed25519')
    const blob = pair.public.split(' ')[1]
    const facts = checkPublicKey(`ssh-ed25519 ${blob} bob"}: {evil}#x`)
    expect(facts.line).toBe(`ssh-ed25519 ${blob} bob: evilx`)
  })

  it('refuses a private key, in any format, with the advice to rotate it', () => {
    const pair = ssh2.utils.generateKeyPairSync('ed25519')
    for (const text of [pair.private, '-----BEGIN RSA PRIVATE KEY-----\nMIIE…\n-----END RSA PRIVATE KEY-----']) {
      const error = refusal(text)
      expect(error.message).toMatch(/PRIVATE key.*Treat it as leaked.*make a new key pair/)
      expect(error.details).toEqual({ field: 'sshKey' })
      // The refusal never repeats the key.
      expect(error.message).not.toContain(text.slice(40, 80))
    }
  })

  it('refuses a short RSA key, junk, an empty paste and several keys, each in plain words', () => {
    const weak = ssh2.utils.generateKeyPairSync('rsa', { bits: 1024 })
    expect(refusal(weak.public).message).toMatch(/1024 bits; use at least 2048/)
    expect(refusal('ssh-ed25519 AAAAnot-base64 x').message).toMatch(/not an SSH public key ssh2 can read/)
    expect(refusal('hello').message).toMatch(/not an SSH public key/)
    expect(refusal('   ').message).toMatch(/paste your SSH public key/)
    const a = ssh2.utils.generateKeyPairSync('ed25519').public
    const b = ssh2.utils.generateKeyPairSync('ed25519').public
    expect(refusal(`${a}\n${b}`).message).toMatch(/exactly one public key/)
  })
})
