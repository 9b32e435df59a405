/**
 * Bundle data: every `data.json` (or `data.yaml`) sits at its directory's path in the data tree,
 * as OPA loads it: `gateway/config/data.json` becomes `data.gateway.config`.
 */
import { parse as parseYaml } from 'yaml'
import { GatewayError } from '../errors.js'
import { deepMerge, isJsonObject, nestAt, type JsonObject } from './merge-data.js'

const DATA_FILES = new Set(['data.json', 'data.yaml', 'data.yml'])

const parseDataFile = (path: string, bytes: Uint8Array): unknown => {
  const text = new TextDecoder().decode(bytes)
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { schema: 'core', maxAliasCount: 100 })
  } catch (e) {
    throw new GatewayError('bundle_data_invalid', `bundle data file \`${path}\` does not parse: ${(e as Error).message}`, {
      details: { file: path },
    })
  }
}

/** Merges the data files of a bundle (paths normalized, no leading slash) into one document. */
export function mergeBundleData(files: ReadonlyMap<string, Uint8Array>): JsonObject {
  let data: JsonObject = {}
  // Sorted, so the result (and any conflict message) does not depend on archive order.
  const paths = [...files.keys()].filter(p => DATA_FILES.has(p.slice(p.lastIndexOf('/') + 1))).sort()
  for (const path of paths) {
    const dir = path.split('/').slice(0, -1)
    const value = parseDataFile(path, files.get(path) as Uint8Array)
    if (dir.length === 0 && !isJsonObject(value))
      throw new GatewayError('bundle_data_invalid', `bundle data file \`${path}\` must hold a JSON object`, { details: { file: path } })
    const placed = nestAt(dir, value) as JsonObject
    data = deepMerge(data, placed, at => {
      throw new GatewayError('bundle_data_invalid', `bundle data file \`${path}\` conflicts with another data file at data.${at.join('.')}`, {
        details: { file: path, path: at },
      })
    })
  }
  return data
}
