/**
 * The notes and fields of the service-hour records the sink writes: the `[rs:<hourId>]` marker that names
 * a record's host hour, the withdrawn and duplicate prefixes, FACTS's 255-character limit, its `date-time`.
 * Pure functions of text.
 *
 * @module
 */

/** FACTS's limit on `description` and `note`. */
export const TEXT_MAX = 255;
const ELLIPSIS = "…";

/**
 * Cuts a text to `max` UTF-16 units, ending in an ellipsis when it was cut. Never splits a surrogate pair.
 *
 * @example
 * ```ts
 * cut("a".repeat(300)).length; // 255
 * ```
 */
export function cut(text: string, max = TEXT_MAX): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  let end = max - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, Math.max(0, end)) + ELLIPSIS;
}

/** The marker of a host hour id, kept at the end of `note`: `[rs:<hourId, URI-encoded>]`. */
export function hourMarker(hourId: string): string {
  return `[rs:${encodeURIComponent(hourId)}]`;
}

const MARKER = /\s?\[rs:([^\]\s]+)\]\s*$/;

/**
 * The start of `note` on a record the sink withdrew: FACTS has no DELETE, so an hour removed in the host
 * is zeroed in FACTS and marked for a person to delete (see {@link withdrawnNote}).
 */
export const WITHDRAWN_PREFIX = "[withdrawn: delete in FACTS]";
/** The start of `note` on a second record of one hour (a timed-out create that landed late). */
export const DUPLICATE_PREFIX = "[duplicate: delete in FACTS]";

/** What a FACTS note says the record is: the host's live record, withdrawn, or a duplicate to remove. */
export type HourMark = "live" | "withdrawn" | "duplicate";

/**
 * Splits a FACTS `note` into the host's note, the host hour id of its marker (or `null`) and the mark
 * the sink left on it (`withdrawn`, `duplicate`; `live` otherwise).
 */
export function parseMarker(note: string | null | undefined): {
  note: string | null;
  hostHourId: string | null;
  mark: HourMark;
} {
  if (!note) return { note: note ?? null, hostHourId: null, mark: "live" };
  const m = MARKER.exec(note);
  if (m === null || m[1] === undefined) return { note, hostHourId: null, mark: "live" };
  let hostHourId: string;
  try {
    hostHourId = decodeURIComponent(m[1]);
  } catch {
    return { note, hostHourId: null, mark: "live" };
  }
  let rest = note.slice(0, m.index);
  let mark: HourMark = "live";
  for (const [prefix, kind] of [
    [WITHDRAWN_PREFIX, "withdrawn"],
    [DUPLICATE_PREFIX, "duplicate"],
  ] as const) {
    if (rest.startsWith(prefix)) {
      mark = kind;
      rest = rest.slice(prefix.length).trimStart();
    }
  }
  return { note: rest === "" ? null : rest, hostHourId, mark };
}

/**
 * The `note` FACTS stores: the host's note cut so that the marker always fits whole after it, or `null`
 * when the marker alone is longer than FACTS allows.
 */
export function noteWithMarker(note: string | null | undefined, hourId: string): string | null {
  const marker = hourMarker(hourId);
  if (marker.length > TEXT_MAX) return null;
  if (!note) return marker;
  const room = TEXT_MAX - marker.length - 1;
  return room <= 0 ? marker : `${cut(note, room)} ${marker}`;
}

/**
 * The `note` of a withdrawn (or duplicate) record: the prefix, the host's note cut to fit, the marker.
 * The marker stays, so that a re-approved hour finds and restores the same record.
 */
export function withdrawnNote(
  note: string | null | undefined,
  hourId: string,
  prefix: string = WITHDRAWN_PREFIX,
): string | null {
  return noteWithMarker(note ? `${prefix} ${note}` : prefix, hourId);
}

/** The `date-time` FACTS's definition declares for `date`, from a `YYYY-MM-DD` day: midnight, no offset. */
export function factsDateTime(day: string): string {
  return `${day.slice(0, 10)}T00:00:00`;
}

/** Which id FACTS expects in `personId` of student service hours. */
export type StudentHoursPersonId = "studentId" | "personStudentId";
