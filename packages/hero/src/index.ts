/**
 * `@rostersync/hero`: SchoolMint Hero tardy write-back to the SIS. An administrator's export config
 * (schools, behaviour codes, ordered fields with headers, a format and SIS preset, a sink and a schedule),
 * checked all at once by {@link validateExport}, run by {@link runExport} through a ledger so nothing is
 * sent twice, into a file directory, a callback or FACTS attendance; {@link nextRunAt} and
 * {@link dueExports} schedule it across DST without timers.
 *
 * @example
 * ```ts
 * import { createFileDirectorySink, runExport, saveExport } from "@rostersync/hero";
 *
 * const sinks = { "sis-drop": createFileDirectorySink({ directory: "/srv/sis/inbox" }) };
 * await saveExport(store, tenantId, config, { expectedVersion: null });
 * const report = await runExport(config, { now: Date.now(), tenantId, store, source: hero, sinks });
 * ```
 *
 * @module
 */
export * from "./config.js";
export * from "./errors.js";
export * from "./exports.js";
export * from "./fields.js";
export * from "./render.js";
export * from "./run.js";
export * from "./schedule.js";
export * from "./sinks/callback.js";
export * from "./sinks/facts-attendance.js";
export * from "./sinks/file-directory.js";
export * from "./validate.js";
export { isValidTimeZone } from "./zoned-time.js";
