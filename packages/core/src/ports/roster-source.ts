import type { ResultAsync } from "neverthrow";
import type { Role, SourcePerson } from "../types.js";
import type { PortError } from "./errors.js";

/** A school as the SIS lists it. */
export interface SourceSchool {
  readonly schoolCode: string;
  readonly name: string;
  readonly active: boolean;
}

/** A grade level as the SIS lists it. */
export interface SourceGradeLevel {
  readonly code: string;
  readonly name: string;
  readonly sortOrder: number;
  /** The final grade of its school (graduates leave from here). */
  readonly final: boolean;
}

/** Everything one full read of the source returns. */
export interface RosterSnapshot {
  readonly people: readonly SourcePerson[];
  readonly schools: readonly SourceSchool[];
  readonly gradeLevels: readonly SourceGradeLevel[];
}

/** Progress of a long read. */
export interface ReadProgress {
  readonly requests: number;
  readonly records: number;
  /** Pages received so far, when the source reads in pages. */
  readonly pages?: number | undefined;
  /** Pages known to be needed so far (grows as first pages arrive), when the source reads in pages. */
  readonly pagesTotal?: number | undefined;
  /** Estimated milliseconds left, when known. */
  readonly etaMs?: number | undefined;
}

/** Options for one read. */
export interface ReadOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: ReadProgress) => void) | undefined;
}

/** A kind of person a profile can roster (the setup screen's "user type"). */
export interface SourceUserType {
  readonly role: Role;
  /** How the SIS names them ("Students", "Parents"). */
  readonly label: string;
  /** How many the SIS lists, when a cheap count is available (FACTS: the listing's `rowCount`). */
  readonly count?: number | undefined;
}

/** A field a profile can map (`FieldMapping.source`): a built-in attribute or a user-defined field. */
export interface SourceField {
  /** The key to put in `FieldMapping.source` (a key of `SourcePerson.fields`, or `gradeLevel` / `schoolCode` / `birthDate`). */
  readonly source: string;
  /** The name an admin knows it by ("Class Year", "Middle name"). */
  readonly label: string;
  /** `builtin`: an attribute every person of the role has; `udf`: a user-defined field of the SIS. */
  readonly kind: "builtin" | "udf";
  /** The roles whose people carry this field. */
  readonly roles: readonly Role[];
  /** User-defined fields: the SIS group type (`STUDENT`, `PARENT`, `FAMILY`…). */
  readonly groupType?: string | undefined;
  /** User-defined fields: the SIS field type, as the SIS gives it. */
  readonly fieldType?: string | undefined;
  /** User-defined fields: the values a list field offers (a dropdown's options), in the SIS's order. */
  readonly listItems?: readonly string[] | undefined;
}

/** What the setup screens offer: read with a few small requests, never the full roster. */
export interface SourceCatalogue {
  readonly schools: readonly SourceSchool[];
  /** In the SIS's order (`sortOrder`), with each school's final grade marked. */
  readonly gradeLevels: readonly SourceGradeLevel[];
  readonly userTypes: readonly SourceUserType[];
  /** Built-in fields first, then every user-defined field by group type. */
  readonly fields: readonly SourceField[];
}

/** One permission of the source's key, named as the SIS's admin screen names it. */
export interface SourcePermission {
  /** The SIS's name for it, e.g. FACTS `People: Read`, `People: Write`. */
  readonly name: string;
  /** `unknown` when the check itself failed (network, rate limit): look at `message`. */
  readonly granted: boolean | "unknown";
  /** What the sync needs it for, in the admin's words. */
  readonly neededFor: string;
  /** Whether the sync can work without it (hours write-back is optional). */
  readonly required: boolean;
  /** Why it is `unknown`, or what to change. */
  readonly message?: string | undefined;
}

/** The answer of "test the key": the key works, and which permissions it has. */
export interface AccessCheck {
  /** The keys were accepted at all (`false`: wrong subscription key or API key). */
  readonly authenticated: boolean;
  /** Every required permission is granted. */
  readonly ok: boolean;
  readonly permissions: readonly SourcePermission[];
}

/** Options of a catalogue read or an access check. */
export interface CatalogueOptions {
  readonly signal?: AbortSignal | undefined;
}

/** Reads the roster from a student information system. */
export interface RosterSource<E extends PortError = PortError> {
  readonly name: string;
  /** One full, validated read. A bad record fails the whole read: nothing is silently dropped. */
  read(options?: ReadOptions): ResultAsync<RosterSnapshot, E>;
  /**
   * Optional: what the setup screens offer (schools, grades, user types, fields), read with a few small
   * requests. A sync validates profiles against it when the source has it (see `docs/adapters.md`).
   */
  catalogue?(options?: CatalogueOptions): ResultAsync<SourceCatalogue, E>;
  /** Optional: "test the key" — which of the SIS permissions the sync needs the key has. */
  checkAccess?(options?: CatalogueOptions): ResultAsync<AccessCheck, E>;
}
