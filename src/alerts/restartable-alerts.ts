/**
 * The alert channel of a replica that may lead, stop leading, and lead again (issue #15): the engine
 * behind it is one-way (once stopped it takes no more signals), so each stop leaves a fresh, unstarted
 * channel in its place, with the sinks attached so far. Buttons on alerts work on every replica, leader
 * or not: they go to the current channel, whose presses are store decisions any replica may take.
 *
 * With `missed`, a channel that starts on a takeover also raises the container deaths this replica saw
 * shortly before it that no leader alerted (the old leader died first: see missed-deaths.ts).
 */
import type { AlertSink } from '../core/alert-sink.js'
import type { Alerts } from './alerts.js'
import type { MissedDeaths } from './missed-deaths.js'

export function restartableAlerts(make: () => Alerts, missed?: MissedDeaths): Alerts {
  const sinks: AlertSink[] = []
  let current = make()
  return {
    get engine() {
      return current.engine
    },
    get expected() {
      return current.expected
    },
    presses: { press: (token, ctx) => current.presses.press(token, ctx) },
    attach: (sink) => {
      sinks.push(sink)
      current.attach(sink)
    },
    start: async () => {
      const channel = current
      // Taken before the channel listens (start subscribes before its first await): the deaths after
      // this are the channel's own.
      const deaths = missed?.recent() ?? []
      await channel.start()
      if (deaths.length > 0) await missed?.raise(channel.engine, deaths)
    },
    stop: async () => {
      const stopping = current
      current = make()
      for (const sink of sinks) current.attach(sink)
      await stopping.stop()
    },
  }
}
