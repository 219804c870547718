/**
 * The setup catalogue of a FACTS school and "test the key": what the setup screens offer, read with a few
 * small requests (schools, grade levels, user-defined groups and fields, and one one-row page of students
 * for their count), never the roster itself. See the package README, "Setup catalogue".
 *
 * @module
 */

import {
  type AccessCheck,
  BUILTIN_SOURCE_FIELDS,
  type CatalogueOptions,
  type Role,
  type SourceCatalogue,
  type SourceField,
  type SourceGradeLevel,
  type SourcePermission,
  type SourceUserType,
} from "@rostersync/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import type { FactsClient } from "./client.js";
import type { FactsError } from "./errors.js";
import type { FactsUdfGroup } from "./schemas.js";
import { envelopeSchema, gradeLevelSchema, schoolSchema, udfFieldSchema, udfGroupSchema } from "./schemas.js";

/** The FACTS attributes a source read puts in a student's `fields`, with the names an admin knows. */
export const FACTS_STUDENT_FIELDS: readonly (readonly [string, string])[] = [
  ["personStudentId", "Person student id"],
  ["middleName", "Middle name"],
  ["nickName", "Nickname"],
  ["email2", "Second email"],
  ["username", "Username"],
  ["gender", "Gender"],
  ["classYear", "Class year"],
  ["status", "Status"],
  ["substatus", "Sub-status"],
  ["enrollDate", "Enroll date"],
  ["withdrawDate", "Withdraw date"],
  ["graduationDate", "Graduation date"],
  ["nextStatus", "Next status"],
  ["nextGradeLevel", "Next grade level"],
  ["familyIds", "Family ids"],
  ["familyName", "Family name"],
  ["familyCode", "Family code"],
];

/** The FACTS attributes a source read puts in a parent's `fields`. */
export const FACTS_PARENT_FIELDS: readonly (readonly [string, string])[] = [
  ["middleName", "Middle name"],
  ["nickName", "Nickname"],
  ["email2", "Second email"],
  ["username", "Username"],
  ["relationship", "Relationship"],
  ["custody", "Custody"],
  ["schoolCodes", "Schools of the children"],
  ["familyIds", "Family ids"],
  ["familyName", "Family name"],
  ["familyCode", "Family code"],
];

/** Which UDF group types land in whose fields, upper case (as `createFactsSource` is configured). */
export interface CatalogueGroupTypes {
  readonly student: ReadonlySet<string>;
  readonly parent: ReadonlySet<string>;
  readonly family: ReadonlySet<string>;
}

/** A list field's items as FACTS gives them (strings, or objects naming the value), as plain strings. */
export function listItemsOf(raw: unknown): string[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const out: string[] = [];
  for (const item of raw) {
    if (typeof item === "string" || typeof item === "number") out.push(String(item));
    else if (item !== null && typeof item === "object") {
      const o = item as Record<string, unknown>;
      const named = [o.value, o.text, o.name, o.listItem, o.item, o.description].find(
        (v) => typeof v === "string" || typeof v === "number",
      );
      if (named !== undefined) out.push(String(named));
    }
  }
  return out;
}

function builtinFields(): SourceField[] {
  const byKey = new Map<string, { label: string; roles: Set<Role> }>();
  const add = (list: readonly (readonly [string, string])[], role: Role) => {
    for (const [key, label] of list) {
      const seen = byKey.get(key);
      if (seen === undefined) byKey.set(key, { label, roles: new Set([role]) });
      else seen.roles.add(role);
    }
  };
  add(FACTS_STUDENT_FIELDS, "student");
  add(FACTS_PARENT_FIELDS, "parent");
  const roles = (set: Set<Role>): Role[] => (["student", "parent"] as const).filter((r) => set.has(r));
  return [
    ...BUILTIN_SOURCE_FIELDS,
    ...[...byKey].map(
      ([source, f]): SourceField => ({ source, label: f.label, kind: "builtin", roles: roles(f.roles) }),
    ),
  ];
}

/**
 * Reads the catalogue: `/SchoolConfigurations`, `/Academics/GradeLevels`, `/UserDefinedGroups`,
 * `/UserDefinedFields` (each usually one page) and one one-row page of `/Students` for the count.
 */
export function readFactsCatalogue(
  client: FactsClient,
  groupTypes: CatalogueGroupTypes,
  options: CatalogueOptions = {},
): ResultAsync<SourceCatalogue, FactsError> {
  const signal = options.signal;
  const list = { ...(signal === undefined ? {} : { signal }) };
  const studentCount = client
    .request("GET", "/Students", { searchParams: { Page: 1, PageSize: 1 }, ...list })
    .map((r) => {
      const env = envelopeSchema.safeParse(r.body);
      return env.success ? env.data.rowCount : undefined;
    });
  // Groups are read once per group type, as the roster read does (`type` selects the group type; see the
  // facts README, "User-defined groups by type"); a group listed under two types is kept once.
  const types = [...new Set([...groupTypes.student, ...groupTypes.parent, ...groupTypes.family])].sort();
  const groupsByType = ResultAsync.combine(
    types.map((type) =>
      client
        .list("/UserDefinedGroups", udfGroupSchema, { idKey: "groupId", query: { type }, ...list })
        .map((groups) => groups.map((g) => (g.groupType ? g : { ...g, groupType: type }))),
    ),
  ).map((lists) => {
    const byId = new Map<number, FactsUdfGroup>();
    for (const g of lists.flat()) if (!byId.has(g.groupId)) byId.set(g.groupId, g);
    return [...byId.values()];
  });
  return ResultAsync.combine([
    client.list("/SchoolConfigurations", schoolSchema, { idKey: "configSchoolID", ...list }),
    client.list("/Academics/GradeLevels", gradeLevelSchema, { idKey: "gradeLevelId", ...list }),
    groupsByType,
    client.list("/UserDefinedFields", udfFieldSchema, { idKey: "fieldId", ...list }),
    studentCount,
  ] as const).map(([schools, grades, groups, udfFields, students]): SourceCatalogue => {
    const gradeLevels: SourceGradeLevel[] = [];
    const seen = new Set<string>();
    for (const g of [...grades].sort((a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0))) {
      const code = g.gradeLevelName;
      if (code == null || seen.has(code)) continue;
      seen.add(code);
      gradeLevels.push({
        code,
        name: code,
        sortOrder: g.sortOrder ?? 0,
        final: g.finalGradeLevel === true,
      });
    }
    const groupType = new Map(groups.map((g) => [g.groupId, (g.groupType ?? "").toUpperCase()]));
    const udfs = new Map<string, SourceField>();
    const sortedUdfs = [...udfFields].sort(
      (a, b) =>
        (groupType.get(a.groupId ?? -1) ?? "").localeCompare(groupType.get(b.groupId ?? -1) ?? "") ||
        a.fieldId - b.fieldId,
    );
    for (const f of sortedUdfs) {
      // A field without a name cannot be mapped (the roster read skips it too).
      if (f.fieldName == null) continue;
      const type = groupType.get(f.groupId ?? -1) ?? "";
      const family = groupTypes.family.has(type);
      const roles: Role[] = family
        ? ["student", "parent"]
        : (["student", "parent"] as const).filter((r) => groupTypes[r].has(type));
      // An unrouted group (STAFF…) is listed too: the admin sees it exists, and why it cannot be mapped.
      const source = family
        ? `family:${f.fieldName}`
        : roles.length > 0
          ? `udf:${f.fieldName}`
          : `${type}:${f.fieldName}`;
      const items = listItemsOf(f.listItems);
      const fieldType = f.fieldType === null || f.fieldType === undefined ? undefined : String(f.fieldType);
      const before = udfs.get(source);
      udfs.set(source, {
        source,
        label: f.fieldName,
        kind: "udf",
        roles: before === undefined ? roles : [...new Set([...before.roles, ...roles])],
        groupType: before?.groupType === undefined ? type : `${before.groupType},${type}`,
        ...(fieldType === undefined ? {} : { fieldType }),
        ...(items === undefined ? {} : { listItems: items }),
      });
    }
    const userTypes: SourceUserType[] = [
      { role: "student", label: "Students", ...(students === undefined ? {} : { count: students }) },
      { role: "parent", label: "Parents" },
    ];
    return {
      schools: schools.flatMap((s) =>
        s.schoolCode == null
          ? []
          : [{ schoolCode: s.schoolCode, name: s.schoolName ?? s.schoolCode, active: s.active !== false }],
      ),
      gradeLevels,
      userTypes,
      fields: [...builtinFields(), ...udfs.values()],
    };
  });
}

/** A permission a sync cannot do without: reading, probed with the first row of a listing. */
const readPermission = (name: string, neededFor: string, endpoint: string) =>
  ({ name, neededFor, required: true, probe: { method: "GET", endpoint } }) as const;

/** What each permission a sync uses is for, and whether the sync can do without it. */
const PERMISSIONS = [
  readPermission("School Configuration: Read", "listing the schools", "/SchoolConfigurations"),
  readPermission("Academics: Read", "listing the grade levels", "/Academics/GradeLevels"),
  readPermission("People: Read", "reading students, parents, families and their fields", "/People"),
  {
    name: "People: Write",
    neededFor: "writing approved volunteer hours back to FACTS (only with hours sync on)",
    required: false,
    // A JSON Patch of nothing on a record that does not exist: a key with the permission is answered
    // 404 and nothing is written; a key without it, 403.
    probe: { method: "PATCH", endpoint: "/Students/ServiceHours/0" },
  },
] as const;

/**
 * "Test the key": one small request per permission the sync uses, each named as FACTS's API key screen
 * names it. `401` on any: the keys themselves are wrong. `403`: not granted. A write is probed with an
 * empty JSON Patch of a record that does not exist, so nothing is ever written.
 */
export function checkFactsAccess(
  client: FactsClient,
  options: CatalogueOptions = {},
): ResultAsync<AccessCheck, FactsError> {
  const signal = options.signal;
  const probes = PERMISSIONS.map((p) =>
    client
      .request(p.probe.method, p.probe.endpoint, {
        ...(p.probe.method === "GET" ? { searchParams: { Page: 1, PageSize: 1 } } : { json: [] }),
        idempotent: true,
        ...(signal === undefined ? {} : { signal }),
      })
      .map(() => null as FactsError | null)
      .orElse((e) => ok(e)),
  );
  return ResultAsync.combine(probes).andThen((answers): Result<AccessCheck, FactsError> => {
    const abort = answers.find((a) => a?.type === "Aborted");
    if (abort !== undefined && abort !== null) return err(abort);
    const authenticated = !answers.some((a) => a?.type === "Unauthorized");
    const permissions = PERMISSIONS.map((p, i): SourcePermission => {
      const a = answers[i] ?? null;
      const base = { name: p.name, neededFor: p.neededFor, required: p.required };
      if (a === null || a.type === "NotFound" || a.type === "BadRequest") return { ...base, granted: true };
      if (a.type === "Forbidden") {
        return { ...base, granted: false, message: `Grant "${p.name}" to this API key in FACTS.` };
      }
      if (a.type === "Unauthorized") {
        return {
          ...base,
          granted: "unknown",
          message: "FACTS refused the keys: check the subscription key and the school's API key.",
        };
      }
      return { ...base, granted: "unknown", message: a.message };
    });
    return ok({
      authenticated,
      ok: authenticated && permissions.every((p) => !p.required || p.granted === true),
      permissions,
    });
  });
}
