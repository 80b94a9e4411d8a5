/**
 * An ed25519 key pair in OpenSSH format. ssh2 1.17's generator drops a leading zero byte of the public
 * key about once in 200 keys, writing a key nothing can parse back ("Malformed OpenSSH private key");
 * such a pair is thrown away and another made.
 */
import ssh2 from 'ssh2'

export function generateEd25519(comment: string): { readonly private: string; readonly public: string } {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment })
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error))
      return { private: pair.private, public: pair.public.trim() }
  }
  throw new Error('could not generate a readable ed25519 key pair')
}
