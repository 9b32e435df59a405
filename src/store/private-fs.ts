/**
 * Private files in the state dir: the dir is 0700, every file 0600, and no path we open may be
 * a symlink (an agent with shell access could plant one to redirect our writes).
 */
import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync } from 'node:fs'
import { StoreError, messageOf } from './errors.js'

const lstatOrNull = (path: string) => {
  try {
    return lstatSync(path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
}

/** Create `dir` (0700) or check the existing one is a real directory, tightening it to 0700. */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const st = lstatSync(dir)
    if (st.isSymbolicLink() || !st.isDirectory()) throw new StoreError('store_unsafe_path', `state dir \`${dir}\` is not a directory (symlinks are refused)`)
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700)
  } catch (e) {
    if (e instanceof StoreError) throw e
    throw new StoreError('store_unsafe_path', `cannot prepare state dir \`${dir}\`: ${messageOf(e)}`)
  }
}

/** Make sure `path` is a regular private file (0600), creating it empty if missing. */
export function ensurePrivateFile(path: string): void {
  try {
    const st = lstatOrNull(path)
    if (st === null) {
      try {
        closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o600))
      } catch (e) {
        // Another process created it first: check what it made.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      }
      return ensurePrivateFile(path)
    }
    if (st.isSymbolicLink() || !st.isFile()) throw new StoreError('store_unsafe_path', `\`${path}\` is not a regular file (symlinks are refused)`)
    if ((st.mode & 0o077) !== 0) chmodSync(path, 0o600)
  } catch (e) {
    if (e instanceof StoreError) throw e
    throw new StoreError('store_unsafe_path', `cannot prepare \`${path}\`: ${messageOf(e)}`)
  }
}
