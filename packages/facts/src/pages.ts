/**
 * Consistency of a paged read, as pure functions over what FACTS answered: does page 1's envelope describe a
 * listing that can exist (`pageCount` against `rowCount / pageSize`, a hard cap on pages), does every later
 * page agree with it and hold exactly the records its position allows, and does any record (or link, by its
 * composite key) come twice. A listing that fails any of these moved or was cut while it was read: the
 * whole read fails with `Inconsistent` (README, "Bounds" and "What a read does": nothing is dropped).
 *
 * @module
 */

/** The envelope fields paging is planned from. */
export interface PageEnvelope {
  readonly currentPage: number;
  readonly pageCount: number;
  readonly pageSize: number;
  readonly rowCount: number;
}

/** Why a paged read cannot be trusted. `expected`/`actual` are what disagreed (counts or page numbers). */
export interface PageProblem {
  readonly expected: number;
  readonly actual: number;
  /** One sentence, starting lower case, without the endpoint (the caller prefixes it). */
  readonly reason: string;
}

/** Pages one read may plan at most unless the caller says otherwise: 10,000 pages of 1,000 rows is 10 million. */
export const DEFAULT_MAX_PAGES = 10_000;

/**
 * The fields that name one record of each paged endpoint FACTS lists. Link tables have composite keys: a
 * parent–student link is its `parentID` and `studentID`, a person–family link its `personId` and `familyId`,
 * a user-defined value its `fieldId` and `linkedId`. A repeated page shows up as a key seen twice.
 */
export const RECORD_KEYS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  "/SchoolConfigurations": ["configSchoolID"],
  "/Academics/GradeLevels": ["gradeLevelId"],
  "/Students": ["studentId"],
  "/People": ["personId"],
  "/People/ParentStudent": ["parentID", "studentID"],
  "/People/PersonFamily": ["personId", "familyId"],
  "/Families": ["familyID"],
  "/UserDefinedGroups": ["groupId"],
  "/UserDefinedFields": ["fieldId"],
  "/UserDefinedData": ["fieldId", "linkedId"],
  "/Students/ServiceHours": ["serviceHoursId"],
  "/Parents/ServiceHours": ["serviceHoursId"],
});

/** The key fields of an endpoint: the caller's, else {@link RECORD_KEYS}'s, else none. */
export function recordKeysFor(endpoint: string, given?: string | readonly string[] | undefined): readonly string[] {
  if (typeof given === "string") return [given];
  if (given !== undefined) return given;
  return Object.hasOwn(RECORD_KEYS, endpoint) ? (RECORD_KEYS[endpoint] as readonly string[]) : [];
}

/**
 * A record's key as one string (`12` or `12/34` for a composite key), or `null` when a key field is missing
 * or not a number or string.
 */
export function recordKey(raw: unknown, keys: readonly string[]): string | null {
  if (keys.length === 0 || typeof raw !== "object" || raw === null) return null;
  const parts: string[] = [];
  for (const k of keys) {
    if (!Object.hasOwn(raw, k)) return null;
    const value = (raw as Record<string, unknown>)[k];
    if (typeof value === "number") parts.push(String(value));
    else if (typeof value === "string") parts.push(JSON.stringify(value));
    else return null;
  }
  return parts.join("/");
}

/**
 * How many pages page 1's envelope says there are, or why that cannot be: `pageCount` must be
 * `⌈rowCount / pageSize⌉` (0 or 1 for an empty listing), page 1 must call itself page 1, and the pages must
 * not exceed `maxPages`. Never plans from an untrusted count.
 */
export function planPages(first: PageEnvelope, maxPages: number = DEFAULT_MAX_PAGES): PageProblem | number {
  if (first.currentPage !== 1) {
    return { expected: 1, actual: first.currentPage, reason: `page 1 answered as page ${first.currentPage}` };
  }
  const expected = Math.ceil(first.rowCount / first.pageSize);
  const fits = first.pageCount === expected || (first.rowCount === 0 && first.pageCount <= 1);
  if (!fits) {
    return {
      expected,
      actual: first.pageCount,
      reason: `page 1 says ${first.pageCount} pages, but ${first.rowCount} rows at ${first.pageSize} a page make ${expected}`,
    };
  }
  if (first.pageCount > maxPages) {
    return {
      expected: maxPages,
      actual: first.pageCount,
      reason: `page 1 says ${first.pageCount} pages, more than the ${maxPages} a read may plan (maxPages)`,
    };
  }
  return Math.max(1, first.pageCount);
}

/** Records page `page` must hold when page 1 described the listing as `first`. */
export function recordsOnPage(first: PageEnvelope, page: number): number {
  return Math.max(0, Math.min(first.pageSize, first.rowCount - (page - 1) * first.pageSize));
}

/**
 * Whether page `page` (its envelope and how many records it held) agrees with page 1: same row count, page
 * count and page size, the page it was asked for, and exactly the records its position allows. `null` when
 * it does.
 */
export function checkPage(
  first: PageEnvelope,
  page: number,
  envelope: PageEnvelope,
  records: number,
): PageProblem | null {
  if (envelope.rowCount !== first.rowCount) {
    return {
      expected: first.rowCount,
      actual: envelope.rowCount,
      reason: `page ${page} says ${envelope.rowCount} rows, page 1 said ${first.rowCount}`,
    };
  }
  if (envelope.pageCount !== first.pageCount) {
    return {
      expected: first.pageCount,
      actual: envelope.pageCount,
      reason: `page ${page} says ${envelope.pageCount} pages, page 1 said ${first.pageCount}`,
    };
  }
  if (envelope.currentPage !== page) {
    return {
      expected: page,
      actual: envelope.currentPage,
      reason: `page ${page} answered as page ${envelope.currentPage}`,
    };
  }
  if (envelope.pageSize !== first.pageSize) {
    return {
      expected: first.pageSize,
      actual: envelope.pageSize,
      reason: `page ${page} says ${envelope.pageSize} rows a page, page 1 said ${first.pageSize}`,
    };
  }
  const expected = recordsOnPage(first, page);
  if (records !== expected) {
    return { expected, actual: records, reason: `page ${page} held ${records} records where ${expected} belong` };
  }
  return null;
}

/**
 * The first record key that appears twice over the pages, in page order, or `null`. Records without a
 * full key are not compared (the schema check reports them).
 */
export function findRepeat(
  pages: readonly (readonly unknown[])[],
  keys: readonly string[],
): { readonly key: string; readonly firstPage: number; readonly page: number; readonly distinct: number } | null {
  if (keys.length === 0) return null;
  const seen = new Map<string, number>();
  for (const [i, records] of pages.entries()) {
    for (const raw of records) {
      const key = recordKey(raw, keys);
      if (key === null) continue;
      const at = seen.get(key);
      if (at !== undefined) return { key, firstPage: at, page: i + 1, distinct: seen.size };
      seen.set(key, i + 1);
    }
  }
  return null;
}
