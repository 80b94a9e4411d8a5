import { defineContainerAction } from './lib/container-action.js'

export const dockerStart = defineContainerAction('start', { summary: 'Start a stopped container' })
