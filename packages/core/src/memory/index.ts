export * from "./clock.js";
export * from "./hours.js";
export * from "./roster-source.js";
export * from "./sync-store.js";
export * from "./tardies.js";
export * from "./target-directory.js";
