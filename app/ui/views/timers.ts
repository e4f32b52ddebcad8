/** Disappearing-message timers on offer: seconds and label. */
export const TIMERS: Array<[number, string]> = [
  [0, 'Off'],
  [30, '30 seconds'],
  [300, '5 minutes'],
  [3600, '1 hour'],
  [86400, '1 day'],
  [604800, '1 week']
]
