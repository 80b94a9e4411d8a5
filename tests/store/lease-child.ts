/**
 * A replica that only holds the leader lease, for pg-leader-lease.test.ts to kill with SIGKILL (a
 * crash: no stop(), no release). Run as
 * `node --import tsx tests/store/lease-child.ts <url> <schema> <replicaId> <ttlMs> <renewMs>`; it
 * prints `leader` or `follower` on each change and runs until killed.
 */
import { PgLeaderLease } from '../../src/store/pg/pg-leader-lease.js'

const [url, schema, replicaId, ttl, renew] = process.argv.slice(2)
if (!url || !schema || !replicaId || !ttl || !renew)
  throw new Error('usage: lease-child.ts <url> <schema> <replicaId> <ttlMs> <renewMs>')

const lease = new PgLeaderLease({ url, schema, replicaId, ttlMs: Number(ttl), renewMs: Number(renew) })
lease.onChange((leader) => process.stdout.write(`${leader ? 'leader' : 'follower'}\n`))
await lease.start()
if (!lease.isLeader()) process.stdout.write('follower\n')
setInterval(() => undefined, 60_000) // stay up until killed
