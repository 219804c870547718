// The host's own accounts, behind rostersync's TargetDirectory port. This example keeps them in core's
// in-memory directory; a real host writes the port's methods over its users table, as docs/adapters.md shows
// ("A directory over your accounts"), with `createSqliteDirectory` of @rostersync/storage-sqlite as a complete
// reference.

import { type Account, createMemoryDirectory, type TargetDirectory } from "@rostersync/core";

/** The host's accounts directory, with a look at its rows for the example's checks. */
export interface AccountsDirectory extends TargetDirectory {
  /** Every account, as the host's users table holds it. */
  rows(): readonly Account[];
}

/**
 * An accounts directory in memory: ids `u1`, `u2`…, emails unique as R1 compares them (trimmed, NFC, any case),
 * a create replayed with its key answers the first account. It has no `mergeAccounts`: a merge after the fact
 * fails as `Unsupported`, as it does in a host that has not written one.
 */
export function createAccountsDirectory(initial: readonly Account[] = []): AccountsDirectory {
  // Only the port's methods: the memory directory's state and write count are core's test aids.
  const {
    getInstance: _state,
    snapshot,
    writes: _writes,
    mergeAccounts: _merge,
    ...port
  } = createMemoryDirectory({ accounts: initial, idPrefix: "u" });
  return { ...port, name: "host-accounts", rows: snapshot };
}
