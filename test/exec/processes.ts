// Finding processes a test started, by a marker in their command line (for "nothing survives").
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'

/** Processes (anywhere on the machine) whose command line contains `marker`. */
export const survivors = (marker: string): string => spawnSync('pgrep', ['-af', marker], { encoding: 'utf8' }).stdout.trim()

/** Survivors once the kernel has had its moment to take down a killed tree (polls up to 3 s): a
 * job the kill missed sleeps for minutes, so it is still there. */
export const survivorsAfterKill = async (marker: string): Promise<string> => {
  for (let i = 0; i < 60 && survivors(marker) !== ''; i++) await new Promise(res => setTimeout(res, 50))
  return survivors(marker)
}

/** A unique `sleep` argument: a number of seconds (100–900) no other process uses. */
export const marker = (): string => `${100 + Math.floor(Math.random() * 800)}.${randomBytes(4).readUInt32BE(0)}`
