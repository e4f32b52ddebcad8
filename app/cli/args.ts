/** A small argv parser: `--flag value`, `--flag=value`, and boolean `--flag`. */
export interface ParsedArgs {
  command: string | null
  flags: Map<string, string | true>
  rest: string[]
}

const BOOLEAN_FLAGS = new Set(['help', 'h', 'version', 'no-updates', 'no-open', 'json', 'no-lan'])

export function parseArgs(argv: string[]): ParsedArgs {
  const flags = new Map<string, string | true>()
  const rest: string[] = []
  let command: string | null = null
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a.startsWith('--') || (a.startsWith('-') && a.length === 2)) {
      const body = a.replace(/^--?/, '')
      const eq = body.indexOf('=')
      if (eq !== -1) flags.set(body.slice(0, eq), body.slice(eq + 1))
      else if (BOOLEAN_FLAGS.has(body) || i + 1 >= argv.length || argv[i + 1].startsWith('--')) flags.set(body, true)
      else flags.set(body, argv[++i])
    } else if (command === null) {
      command = a
    } else {
      rest.push(a)
    }
  }
  return { command, flags, rest }
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name)
  if (v === true) throw new UsageError(`--${name} needs a value`)
  return v
}

export class UsageError extends Error {}
