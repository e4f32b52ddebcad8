import type test from 'brittle'
import type { Page } from 'playwright-core'
import { localTestnet } from './testnet'
import { UiInstance } from './ui-instance'
import { launchChromium } from './browser'
import { BridgeClient } from './bridge-client'
import { firstRun, openPage } from './ui-page'

type T = Parameters<Parameters<typeof test>[1]>[0]

export interface People {
  /** Alice's app window, past the first run. */
  page: Page
  alice: UiInstance
  /** Alice's Api through her own bridge (the page's cookie), for setting up scenes quickly. */
  aliceApi: BridgeClient
  /** Bob has no window: only his bridge, named Bob. Null when not asked for. */
  bob: UiInstance | null
  bobApi: BridgeClient | null
}

/** Alice in Chromium and, optionally, Bob headless (with `bobEnv`), on a fresh test DHT; all torn down with `t`. */
export async function people(t: T, { bob: withBob = true, bobEnv = {} }: { bob?: boolean; bobEnv?: Record<string, string> } = {}): Promise<People> {
  const { testnet, bootstrap } = await localTestnet()
  const alice = new UiInstance('alice', bootstrap)
  const bob = withBob ? new UiInstance('bob', bootstrap, { env: bobEnv }) : null
  const browser = await launchChromium()
  const clients: BridgeClient[] = []
  t.teardown(async () => {
    for (const c of clients) c.close()
    await browser.close()
    await Promise.all([alice.stop(), bob?.stop()])
    await testnet.destroy()
  })
  await Promise.all([alice.start(), bob?.start()])
  const page = await openPage(browser, alice.url)
  await firstRun(page, 'Alice')
  const cookie = (await page.context().cookies()).find((c) => c.name === 'peerline')
  const aliceApi = await BridgeClient.open(alice.origin, `peerline=${cookie?.value}`)
  clients.push(aliceApi)
  let bobApi: BridgeClient | null = null
  if (bob) {
    bobApi = await BridgeClient.open(bob.origin, await bob.sessionCookie())
    clients.push(bobApi)
    await bobApi.call('setProfile', { name: 'Bob' })
  }
  return { page, alice, aliceApi, bob, bobApi }
}

/** Alice adds Bob by number and Bob accepts; answers both numbers. */
export async function befriend(aliceApi: BridgeClient, bobApi: BridgeClient): Promise<{ aliceNumber: string; bobNumber: string }> {
  const bobNumber = (await bobApi.call('whoami')).number
  const aliceNumber = (await aliceApi.call('whoami')).number
  await aliceApi.call('addContact', { number: bobNumber })
  while (!(await bobApi.call('listContacts')).some((c) => c.number === aliceNumber && c.state === 'incoming')) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await bobApi.call('acceptContact', { number: aliceNumber })
  return { aliceNumber, bobNumber }
}

/** Alice and Bob, each in a Chromium window of their own (one browser), friends; for calls. */
export async function twoWindows(t: T): Promise<{ alicePage: Page; bobPage: Page; aliceApi: BridgeClient; bobApi: BridgeClient; aliceNumber: string; bobNumber: string }> {
  const { testnet, bootstrap } = await localTestnet()
  const alice = new UiInstance('alice', bootstrap)
  const bob = new UiInstance('bob', bootstrap)
  const browser = await launchChromium()
  const clients: BridgeClient[] = []
  t.teardown(async () => {
    for (const c of clients) c.close()
    await browser.close()
    await Promise.all([alice.stop(), bob.stop()])
    await testnet.destroy()
  })
  await Promise.all([alice.start(), bob.start()])
  const open = async (instance: UiInstance, name: string): Promise<{ page: Page; api: BridgeClient }> => {
    const page = await openPage(browser, instance.url)
    await firstRun(page, name)
    const cookie = (await page.context().cookies()).find((c) => c.name === 'peerline')
    const api = await BridgeClient.open(instance.origin, `peerline=${cookie?.value}`)
    clients.push(api)
    return { page, api }
  }
  const a = await open(alice, 'Alice')
  const b = await open(bob, 'Bob')
  const { aliceNumber, bobNumber } = await befriend(a.api, b.api)
  return { alicePage: a.page, bobPage: b.page, aliceApi: a.api, bobApi: b.api, aliceNumber, bobNumber }
}
