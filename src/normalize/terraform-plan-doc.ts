/**
 * The parts of a `terraform show -json <planfile>` document (format_version 1.x) the gateway
 * reads. Unknown fields (planned_values, prior_state, resource_drift, configuration, …) are
 * tolerated and ignored.
 */
import { z } from 'zod'

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

// z.custom keeps the very object: values are copied once, by the redaction walk, with depth and size guards.
const Attributes = z
  .custom<Record<string, unknown> | null>(v => v === null || isRecord(v), 'Expected an attribute object or null')
  .optional()

export const PlanChange = z.looseObject({
  actions: z.array(z.string()).min(1),
  before: Attributes,
  after: Attributes,
  before_sensitive: z.unknown().optional(),
  after_sensitive: z.unknown().optional(),
  after_unknown: z.unknown().optional(),
})

export const PlanResourceChange = z.looseObject({
  address: z.string(),
  module_address: z.string().optional(),
  // Real plans always say; trimmed fixtures may not. Managed is the reading policy scrutinises most.
  mode: z.enum(['managed', 'data']).default('managed'),
  type: z.string(),
  name: z.string(),
  provider_name: z.string(),
  change: PlanChange,
})

export const PlanDocument = z.looseObject({
  format_version: z.string(),
  terraform_version: z.string().optional(),
  resource_changes: z.array(PlanResourceChange).optional(),
  errored: z.boolean().optional(),
})
export type PlanDocument = z.infer<typeof PlanDocument>
export type PlanResourceChange = z.infer<typeof PlanResourceChange>
