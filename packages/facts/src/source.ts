import type {
  AccessCheck,
  CatalogueOptions,
  PersonStatus,
  ReadOptions,
  RosterSource,
  SourceCatalogue,
} from "@rostersync/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import type { z } from "zod";
import { checkFactsAccess, readFactsCatalogue } from "./catalogue.js";
import type { FactsClient, ListOptions } from "./client.js";
import type { FactsError } from "./errors.js";
import { aborted } from "./http-errors.js";
import { readDeadline } from "./retry.js";
import {
  assembleRoster,
  groupTypeList,
  ROSTER_READS,
  type RosterData,
  type RosterRules,
  rosterRules,
} from "./roster.js";
import { readUdfGroups } from "./udf-groups.js";

export { ROSTER_ENDPOINTS, ROSTER_READS, type RosterData, type RosterEndpoint } from "./roster.js";

/** Which user-defined field group types land in whose `fields` (compared case-insensitively). */
export interface UdfGroupTypes {
  /** Default `["STUDENT"]`. */
  readonly student?: readonly string[] | undefined;
  /** Default `["PARENT"]`. */
  readonly parent?: readonly string[] | undefined;
  /** Default `["FAMILY"]`. */
  readonly family?: readonly string[] | undefined;
}

/** Options of {@link createFactsSource}. */
export interface FactsSourceOptions {
  /** The FACTS client the source reads through (one per school). */
  readonly client: FactsClient;
  /**
   * FACTS student status (case-insensitive) → core status. Merged over the default: `Enrolled` →
   * `enrolled`, `Graduated` → `graduated`, `Withdrawn` → `withdrawn`; anything else is `inactive`.
   */
  readonly statusMap?: Readonly<Record<string, PersonStatus>> | undefined;
  readonly udfGroupTypes?: UdfGroupTypes | undefined;
  /**
   * The longest a whole roster read (every endpoint, waits and retries included) may take; beyond it the
   * read fails with `Timeout` and returns nothing. Default: no limit of its own.
   */
  readonly readTimeoutMs?: number | undefined;
}

/**
 * A roster source over FACTS (core's `RosterSource`), with the setup catalogue and "test the key".
 */
export interface FactsSource extends RosterSource<FactsError> {
  readonly name: "facts";
  /** The setup catalogue in a few small requests (see `readFactsCatalogue`). */
  catalogue(options?: CatalogueOptions): ResultAsync<SourceCatalogue, FactsError>;
  /** "Test the key" (see `checkFactsAccess`). */
  checkAccess(options?: CatalogueOptions): ResultAsync<AccessCheck, FactsError>;
}

/**
 * A roster source over FACTS: one full, validated read of schools, grade levels, students (joined to
 * People by `studentId == personId`), parents (through ParentStudent), families with their order, and
 * user-defined fields. Any bad record fails the whole read; nothing is dropped.
 *
 * @example
 * ```ts
 * const source = createFactsSource({ client: createFactsClient({ subscriptionKey, apiKey }) });
 * const snapshot = await source.read({ onProgress: (p) => console.log(p.records) });
 * ```
 */
export function createFactsSource(options: FactsSourceOptions): FactsSource {
  const { client } = options;
  const rules = rosterRules(options);
  return {
    name: "facts",
    read(readOptions = {}) {
      return new ResultAsync(readRoster(client, rules, options.readTimeoutMs, readOptions)).andThen((data) =>
        assembleRoster(data, rules),
      );
    },
    catalogue: (catalogueOptions) => readFactsCatalogue(client, rules.groupTypes, catalogueOptions),
    checkAccess: (catalogueOptions) => checkFactsAccess(client, catalogueOptions),
  };
}

/**
 * Every record of {@link ROSTER_READS}, read together (first pages in the table's order) within one
 * deadline; the first failure cancels the other reads and is the one returned.
 */
async function readRoster(
  client: FactsClient,
  rules: RosterRules,
  readTimeoutMs: number | undefined,
  readOptions: ReadOptions,
): Promise<Result<RosterData, FactsError>> {
  const stop = new AbortController();
  const signal = readOptions.signal === undefined ? stop.signal : AbortSignal.any([readOptions.signal, stop.signal]);
  const progress = client.tracker(
    readOptions.onProgress === undefined
      ? undefined
      : (p) =>
          readOptions.onProgress?.({
            requests: p.requests,
            records: p.records,
            pages: p.pages,
            pagesTotal: p.pagesTotal,
            ...(p.etaMs === undefined ? {} : { etaMs: p.etaMs }),
          }),
  );
  let failure: FactsError | null = null;
  const deadline = readTimeoutMs === undefined ? undefined : readDeadline(readTimeoutMs, client.clock.now());
  // Every endpoint is checked for repeated and missing pages; link tables by their composite keys.
  const read = <T>(endpoint: string, schema: z.ZodType<T>, query?: Readonly<Record<string, string>>): Promise<T[]> => {
    const listOptions: ListOptions = { signal, progress, deadline, ...(query === undefined ? {} : { query }) };
    return client.list(endpoint, schema, listOptions).match(
      (rows) => rows,
      (e) => {
        // The first failure wins; the others are the cancellations it caused.
        if (failure === null || failure.type === "Aborted") failure = e;
        stop.abort();
        return [];
      },
    );
  };
  const types = groupTypeList(rules);
  const keys = Object.keys(ROSTER_READS) as (keyof RosterData)[];
  const lists = await Promise.all(
    keys.map((key): Promise<readonly unknown[]> => {
      const { endpoint, schema } = ROSTER_READS[key];
      if (key === "udfGroups") {
        return readUdfGroups((type) => read(endpoint, ROSTER_READS.udfGroups.schema, { type }), types);
      }
      return read<unknown>(endpoint, schema);
    }),
  );
  const failed = failure as FactsError | null;
  if (failed !== null) return err(failed);
  if (readOptions.signal?.aborted) return err(aborted("GET", "/Students"));
  return ok(Object.fromEntries(keys.map((key, i) => [key, lists[i]])) as unknown as RosterData);
}
