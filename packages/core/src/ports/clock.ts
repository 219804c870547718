/** Where time comes from. The pure core never reads the clock; I/O packages take one of these. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}
