/** Where the core writes what it did and why it dropped something. The CLI sends it to stderr. */
export type Log = (message: string) => void

export const silent: Log = () => {}
