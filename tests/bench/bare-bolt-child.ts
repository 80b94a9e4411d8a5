/**
 * The slack-ack benchmark's baseline: a bare @slack/bolt App in Socket Mode that acknowledges every
 * slash command and does nothing else, with the same receiver and Web API settings the project's
 * adapter gives bolt (adapters/slack/slack-adapter.ts). `node --import tsx bare-bolt-child.ts <apiUrl>`
 * prints one JSON line once connected and runs until SIGTERM.
 */
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt'
import { APP_TOKEN, BOT_TOKEN } from '../adapters/slack/fake-slack.js'

const apiUrl = process.argv[2] ?? ''
const clientOptions = { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true }
const receiver = new SocketModeReceiver({
  appToken: APP_TOKEN,
  logLevel: LogLevel.ERROR,
  installerOptions: { clientOptions },
})
const app = new App({ token: BOT_TOKEN, receiver, socketMode: true, logLevel: LogLevel.ERROR, clientOptions })
app.command(/^\/[A-Za-z0-9_-]+$/, async ({ ack }) => {
  await ack()
})
await app.start()
process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0))
})
