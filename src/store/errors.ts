/** Why the state dir or its database cannot be used. */
export type StoreErrorCode =
  | 'store_unsafe_path' // a symlink, a non-directory, or a file we cannot make private
  | 'store_open_failed'
  | 'store_schema_too_new' // written by a newer gateway: refuse rather than guess
  | 'store_corrupt' // a row that does not parse

/** The one error the store throws (only while opening, or on a corrupt row). */
export class StoreError extends Error {
  override name = 'StoreError'
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export { messageOf } from '../errors.js'
