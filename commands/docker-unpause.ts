import { defineContainerAction } from './lib/container-action.js'

export const dockerUnpause = defineContainerAction('unpause', { summary: 'Unpause a paused container' })
