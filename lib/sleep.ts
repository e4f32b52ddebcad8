/** Resolves after `ms`: for the few loops that look at a state with no event of its own. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
