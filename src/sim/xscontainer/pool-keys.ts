/**
 * The pool's xscontainer SSH key pair, created lazily on first use (`api_helper.get_idrsa_secret`):
 * two `secret` objects and their uuids in pool other_config. The real pack runs
 * `ssh-keygen -b 4096`; the simulator makes 2048-bit keys with ssh2's generator because 4096-bit
 * generation costs over a second per pool and no client looks at the key size.
 */
import ssh2 from 'ssh2'
import type { SimPool } from '../sim-pool.js'

export const PRIVATE_KEY_SECRET = 'xscontainer-private-secret-uuid'
export const PUBLIC_KEY_SECRET = 'xscontainer-public-secret-uuid'

export interface PoolKeyPair {
  readonly privateKey: string
  /** `ssh-rsa AAAA… xscontainer`, the full authorized_keys line. */
  readonly publicKey: string
}

function readSecret(pool: SimPool, uuid: string | undefined): string | undefined {
  if (!uuid) return undefined
  const ref = pool.store.find('secret', (r) => r.uuid === uuid)[0]
  return ref ? String(pool.store.get('secret', ref).value) : undefined
}

/** The pool's key pair when it exists already; nothing is created. */
export function findPoolKeyPair(pool: SimPool): PoolKeyPair | undefined {
  const otherConfig = pool.store.get('pool', pool.poolRef).other_config as Record<string, string>
  const privateKey = readSecret(pool, otherConfig[PRIVATE_KEY_SECRET])
  const publicKey = readSecret(pool, otherConfig[PUBLIC_KEY_SECRET])
  return privateKey && publicKey ? { privateKey, publicKey } : undefined
}

export function getPoolKeyPair(pool: SimPool): PoolKeyPair {
  const found = findPoolKeyPair(pool)
  if (found) return found
  const poolRef = pool.poolRef
  const otherConfig = pool.store.get('pool', poolRef).other_config as Record<string, string>

  const pair = ssh2.utils.generateKeyPairSync('rsa', { bits: 2048, comment: `xscontainer@${pool.name}` })
  const privRef = pool.store.create('secret', { value: pair.private })
  const pubRef = pool.store.create('secret', { value: pair.public.trim() })
  pool.store.update('pool', poolRef, {
    other_config: {
      ...otherConfig,
      [PRIVATE_KEY_SECRET]: String(pool.store.get('secret', privRef).uuid),
      [PUBLIC_KEY_SECRET]: String(pool.store.get('secret', pubRef).uuid),
    },
  })
  return { privateKey: pair.private, publicKey: pair.public.trim() }
}
