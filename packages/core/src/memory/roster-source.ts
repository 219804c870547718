// In-memory adapter: being written. Exports are added here.
export {};
