/**
 * A guest's ed25519 host key. ssh2 1.17's generator drops a leading zero byte of the public key about
 * once in 200 keys, making a key its own Server refuses to load; such a pair is thrown away.
 */
import ssh2 from 'ssh2'

export function generateHostKey(): { readonly private: string; readonly public: string } {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'root@guest' })
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error))
      return { private: pair.private, public: pair.public.trim() }
  }
  throw new Error('could not generate a readable ed25519 host key')
}
