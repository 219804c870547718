/**
 * `@rostersync/fleet`: many schools on many workers. Nightly unattended syncs, hours pushes and Hero
 * exports per school on pg-boss, one FACTS request budget shared by every worker through PostgreSQL, a
 * status and a digest of the schools that need a person, and pause windows; the same interface in one
 * process over SQLite for small hosts (docs/fleet.md).
 *
 * @packageDocumentation
 */
export { budgetKeyDigest, createPostgresBudget, type PostgresBudget, type PostgresBudgetOptions } from "./budget.js";
export { type Cron, isTimeZone, nextCronTime, parseCron } from "./cron.js";
export { createEmbeddedFleet, type EmbeddedFleetOptions } from "./embedded.js";
export { createPostgresFleet, FLEET_QUEUE, type PostgresFleetOptions } from "./fleet.js";
export type { FleetRetry, FleetTables, JobOutcome, JobRequest } from "./jobs.js";
export type { StoredStatus } from "./status.js";
export type * from "./types.js";
