/**
 * The terminal chat's completion as the bot wires it (src/app.ts shellCompletion): command words from
 * the command list, VM names from the suggestions service for the acting user, so a scoped user is
 * never offered a VM outside her scope.
 */
import { describe, expect, it } from 'vitest'
import { type App, shellCompletion } from '../../../src/app.js'
import { AccessPolicy } from '../../../src/core/access.js'
import { createSuggestions } from '../../../src/core/suggestions.js'
import { DEMO_ACCESS, startChat } from '../../helpers/test-chat.js'

describe('terminal completion wiring', () => {
  it('completes command words and the acting user’s VM names only', async () => {
    const chat = await startChat()
    const suggestions = createSuggestions(chat.xen.inventory, new AccessPolicy(DEMO_ACCESS))
    let user = 'alice'
    // Only `suggestions` is read by shellCompletion: an interface-level stand-in for the App.
    const wiring = shellCompletion({ suggestions } as unknown as App, () => user)
    expect(wiring.commandWords).toContain('/docker ps')
    expect(wiring.commandWords).toContain('/xen doctor')
    expect(wiring.complete('/docker ps web')).toEqual(['web-1', 'web-2'])
    user = 'carol' // scoped to lab-modern in the demo access config
    expect(wiring.complete('/docker ps web')).toEqual([])
    expect(wiring.complete('/docker ps me')).toEqual(['metrics'])
    user = 'eve'
    expect(wiring.complete('/docker ps ')).toEqual([])
  })
})
