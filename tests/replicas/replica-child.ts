/**
 * A replica in a process of its own, for the replica tests to kill with SIGKILL (a crash: no stop, no
 * lease given up, its Socket Mode connection just drops). Run as
 * `node --import tsx tests/replicas/replica-child.ts '<ReplicaSpec as JSON>'`; it prints `ready` once
 * synced and connected to Slack, then `leader` or `follower` on each change, and runs until killed.
 * XC_CHILD_LOG=debug sends its log to stderr.
 */
import { createLogger, silentLog } from '../../src/log.js'
import { type ReplicaSpec, startReplica } from './replica.js'

const spec = JSON.parse(process.argv[2] ?? '') as ReplicaSpec
const level = process.env.XC_CHILD_LOG
const log = level ? createLogger({ level, destination: process.stderr }) : silentLog
const replica = await startReplica(spec, log)
const say = (line: string) => process.stdout.write(`${line}\n`)
replica.lease.onChange((leader) => say(leader ? 'leader' : 'follower'))
say('ready')
say(replica.lease.isLeader() ? 'leader' : 'follower')
setInterval(() => undefined, 60_000) // stay up until killed
