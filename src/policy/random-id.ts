import { randomBytes } from 'node:crypto'

/**
 * Returns a generator of 128-bit random hex ids. Bytes come from the CSPRNG in batches: one
 * randomBytes call per id costs more than a whole policy evaluation.
 */
export function createRandomId(batch = 256): () => string {
  let pool = Buffer.alloc(0)
  let at = 0
  return () => {
    if (at + 16 > pool.length) {
      pool = randomBytes(16 * batch)
      at = 0
    }
    at += 16
    return pool.toString('hex', at - 16, at)
  }
}
