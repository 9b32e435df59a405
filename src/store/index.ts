export { openStore, DB_FILE, type Store, type StoreDeps } from './open-store.js'
export { StoreError, type StoreErrorCode } from './errors.js'
export { MIGRATIONS, SCHEMA_VERSION, migrate, type Migration } from './migrations.js'
export { createPlanRepository, type NewPlan, type PlanRecord, type PlanRepository } from './plans.js'
