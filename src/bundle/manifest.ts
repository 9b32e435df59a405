/** The bundle `.manifest`: revision, roots and which wasm module serves which entrypoint. */
import { z } from 'zod'
import { GatewayError, describeIssues } from '../errors.js'

export const WasmResolver = z.looseObject({
  entrypoint: z.string().min(1),
  module: z.string().min(1),
})

/** The fields of an OPA bundle manifest we read; other keys are kept as they are. */
export const Manifest = z.looseObject({
  revision: z.string().optional(),
  roots: z.array(z.string()).optional(),
  wasm: z.array(WasmResolver).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
})
export type Manifest = z.infer<typeof Manifest>

const describe = (error: z.ZodError): string => describeIssues(error.issues, '(root)')

/** Parses `.manifest` bytes; refuses invalid JSON or shapes with bundle_manifest_invalid. */
export function parseManifest(bytes: Uint8Array): Manifest {
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(bytes))
  } catch (e) {
    throw new GatewayError('bundle_manifest_invalid', `bundle .manifest is not JSON: ${(e as Error).message}`)
  }
  const parsed = Manifest.safeParse(json)
  if (!parsed.success) throw new GatewayError('bundle_manifest_invalid', `bundle .manifest is invalid: ${describe(parsed.error)}`)
  return parsed.data
}
