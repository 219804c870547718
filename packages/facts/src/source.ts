import type {
  AccessCheck,
  CatalogueOptions,
  FamilyLink,
  PersonStatus,
  ReadOptions,
  RosterSnapshot,
  RosterSource,
  SourceCatalogue,
  SourceGradeLevel,
  SourcePerson,
  SourceSchool,
} from "@rostersync/core";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import type { z } from "zod";
import { checkFactsAccess, readFactsCatalogue } from "./catalogue.js";
import { aborted, type FactsClient, invalidPayload, type ListOptions, readDeadline } from "./client.js";
import type { FactsError } from "./errors.js";
import {
  type FactsFamily,
  type FactsGradeLevel,
  type FactsParentStudent,
  type FactsPerson,
  type FactsPersonFamily,
  type FactsSchool,
  type FactsStudent,
  type FactsUdfData,
  type FactsUdfField,
  type FactsUdfGroup,
  familySchema,
  gradeLevelSchema,
  parentStudentSchema,
  personFamilySchema,
  personSchema,
  schoolSchema,
  studentSchema,
  udfDataSchema,
  udfFieldSchema,
  udfGroupSchema,
} from "./schemas.js";
import { readUdfGroups } from "./udf-groups.js";

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

/** The endpoints a full roster read lists, in the order their first pages are asked for. */
export const ROSTER_ENDPOINTS = [
  "/SchoolConfigurations",
  "/Academics/GradeLevels",
  "/Students",
  "/People",
  "/People/ParentStudent",
  "/People/PersonFamily",
  "/Families",
  "/UserDefinedGroups",
  "/UserDefinedFields",
  "/UserDefinedData",
] as const;

const DEFAULT_STATUS: Readonly<Record<string, PersonStatus>> = {
  enrolled: "enrolled",
  graduated: "graduated",
  withdrawn: "withdrawn",
};

interface RosterData {
  schools: FactsSchool[];
  gradeLevels: FactsGradeLevel[];
  students: FactsStudent[];
  people: FactsPerson[];
  parentStudents: FactsParentStudent[];
  personFamilies: FactsPersonFamily[];
  families: FactsFamily[];
  udfGroups: FactsUdfGroup[];
  udfFields: FactsUdfField[];
  udfData: FactsUdfData[];
}

const str = (v: string | number | boolean | null | undefined): string | null =>
  v === null || v === undefined ? null : String(v);
const day = (v: string | null | undefined): string | null => (v ? v.slice(0, 10) : null);
const byNumber = (a: number, b: number) => a - b;

/**
 * A roster source over FACTS: one full, validated read of schools, grade levels, students (joined to
 * People by `studentId == personId`), parents (through ParentStudent), families with their order, and
 * user-defined fields. Any bad record fails the whole read; nothing is dropped.
 *
 * @example
 * ```ts
 * const source = createFactsSource(createFactsClient({ subscriptionKey, apiKey }));
 * const snapshot = await source.read({ onProgress: (p) => console.log(p.records) });
 * ```
 */
export function createFactsSource(
  client: FactsClient,
  options: FactsSourceOptions = {},
): RosterSource<FactsError> & {
  readonly name: "facts";
  /** The setup catalogue in a few small requests (see `readFactsCatalogue`). */
  catalogue(options?: CatalogueOptions): ResultAsync<SourceCatalogue, FactsError>;
  /** "Test the key" (see `checkFactsAccess`). */
  checkAccess(options?: CatalogueOptions): ResultAsync<AccessCheck, FactsError>;
} {
  const statusMap = new Map<string, PersonStatus>();
  for (const [k, v] of Object.entries({ ...DEFAULT_STATUS, ...options.statusMap }))
    statusMap.set(k.trim().toLowerCase(), v);
  const groupTypes = {
    student: new Set((options.udfGroupTypes?.student ?? ["STUDENT"]).map((t) => t.toUpperCase())),
    parent: new Set((options.udfGroupTypes?.parent ?? ["PARENT"]).map((t) => t.toUpperCase())),
    family: new Set((options.udfGroupTypes?.family ?? ["FAMILY"]).map((t) => t.toUpperCase())),
  };
  const groupTypeList = [...new Set([...groupTypes.student, ...groupTypes.parent, ...groupTypes.family])].sort();

  const fetchAll = async (readOptions: ReadOptions): Promise<Result<RosterData, FactsError>> => {
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
    const deadline = options.readTimeoutMs === undefined ? undefined : readDeadline(options.readTimeoutMs);
    // Every endpoint is checked for repeated and missing pages; link tables by their composite keys.
    const read = <T>(
      endpoint: string,
      schema: z.ZodType<T>,
      idKey?: string | readonly string[],
      query?: Readonly<Record<string, string>>,
    ): Promise<T[]> => {
      const listOptions: ListOptions = {
        signal,
        progress,
        deadline,
        ...(idKey === undefined ? {} : { idKey }),
        ...(query === undefined ? {} : { query }),
      };
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
    const [
      schools,
      gradeLevels,
      students,
      people,
      parentStudents,
      personFamilies,
      families,
      udfGroups,
      udfFields,
      udfData,
    ] = await Promise.all([
      read("/SchoolConfigurations", schoolSchema, "configSchoolID"),
      read("/Academics/GradeLevels", gradeLevelSchema, "gradeLevelId"),
      read("/Students", studentSchema, "studentId"),
      read("/People", personSchema, "personId"),
      read("/People/ParentStudent", parentStudentSchema, ["parentID", "studentID"]),
      read("/People/PersonFamily", personFamilySchema, ["personId", "familyId"]),
      read("/Families", familySchema, "familyID"),
      readUdfGroups((type) => read("/UserDefinedGroups", udfGroupSchema, "groupId", { type }), groupTypeList),
      read("/UserDefinedFields", udfFieldSchema, "fieldId"),
      read("/UserDefinedData", udfDataSchema, ["fieldId", "linkedId"]),
    ]);
    const failed = failure as FactsError | null;
    if (failed !== null) return err(failed);
    if (readOptions.signal?.aborted) return err(aborted("GET", "/Students"));
    return ok({
      schools,
      gradeLevels,
      students,
      people,
      parentStudents,
      personFamilies,
      families,
      udfGroups,
      udfFields,
      udfData,
    });
  };

  const statusOf = (raw: string | null | undefined): PersonStatus =>
    statusMap.get((raw ?? "").trim().toLowerCase()) ?? "inactive";

  const assemble = (d: RosterData): Result<RosterSnapshot, FactsError> => {
    const peopleById = new Map<number, FactsPerson>();
    for (const p of d.people) peopleById.set(p.personId, p);
    const schoolById = new Map<number, FactsSchool>();
    for (const s of d.schools) schoolById.set(s.configSchoolID, s);
    const familyById = new Map<number, FactsFamily>();
    for (const f of d.families) familyById.set(f.familyID, f);

    // User-defined values by owner: group type decides whether `linkedId` is a person or a family.
    const groupTypeById = new Map<number, string>();
    for (const g of d.udfGroups) groupTypeById.set(g.groupId, (g.groupType ?? "").toUpperCase());
    const fieldById = new Map<number, { name: string; type: string }>();
    // A field without a name or a group cannot be placed: its values are not read into anyone.
    for (const f of d.udfFields)
      fieldById.set(f.fieldId, {
        name: f.fieldName ?? "",
        type: f.fieldName ? (groupTypeById.get(f.groupId ?? -1) ?? "") : "",
      });
    const studentUdf = new Map<number, Record<string, string | null>>();
    const parentUdf = new Map<number, Record<string, string | null>>();
    const familyUdf = new Map<number, Record<string, string | null>>();
    const put = (m: Map<number, Record<string, string | null>>, key: number, name: string, value: string | null) => {
      let rec = m.get(key);
      if (rec === undefined) {
        rec = {};
        m.set(key, rec);
      }
      rec[name] = value;
    };
    for (const v of d.udfData) {
      const field = fieldById.get(v.fieldId);
      if (field === undefined) {
        return err(
          invalidPayload(
            "GET",
            "/UserDefinedData",
            String(v.linkedId),
            ["fieldId"],
            `GET /UserDefinedData: a value of person or family ${v.linkedId} names field ${v.fieldId}, which /UserDefinedFields does not list.`,
          ),
        );
      }
      const data = v.data ?? null;
      if (groupTypes.student.has(field.type)) put(studentUdf, v.linkedId, `udf:${field.name}`, data);
      if (groupTypes.parent.has(field.type)) put(parentUdf, v.linkedId, `udf:${field.name}`, data);
      if (groupTypes.family.has(field.type)) put(familyUdf, v.linkedId, `family:${field.name}`, data);
    }

    const familiesOf = new Map<number, FactsPersonFamily[]>();
    const parentsOfFamily = new Map<number, FactsPersonFamily[]>();
    for (const pf of d.personFamilies) {
      const list = familiesOf.get(pf.personId);
      if (list === undefined) familiesOf.set(pf.personId, [pf]);
      else list.push(pf);
      if (pf.parent) {
        const parents = parentsOfFamily.get(pf.familyId);
        if (parents === undefined) parentsOfFamily.set(pf.familyId, [pf]);
        else parents.push(pf);
      }
    }
    // "Listed first" is the lowest familyOrder among a family's parents (ties: the lowest personId).
    const firstParentOf = new Map<number, number>();
    for (const [familyId, parents] of parentsOfFamily) {
      let best: FactsPersonFamily | undefined;
      for (const p of parents) {
        const order = p.familyOrder ?? Number.POSITIVE_INFINITY;
        const bestOrder = best?.familyOrder ?? Number.POSITIVE_INFINITY;
        if (best === undefined || order < bestOrder || (order === bestOrder && p.personId < best.personId)) best = p;
      }
      if (best !== undefined) firstParentOf.set(familyId, best.personId);
    }

    const familyFields = (personId: number): Record<string, string | null> => {
      const links = (familiesOf.get(personId) ?? []).map((l) => l.familyId).sort(byNumber);
      const primary = links[0];
      if (primary === undefined) return {};
      const family = familyById.get(primary);
      return {
        familyIds: links.join(","),
        familyName: family?.familyName ?? null,
        familyCode: family?.familyUDID ?? null,
        ...familyUdf.get(primary),
      };
    };

    const people: SourcePerson[] = [];
    const studentById = new Map<number, FactsStudent>();
    const students = [...d.students].sort((a, b) => a.studentId - b.studentId);
    for (const s of students) {
      studentById.set(s.studentId, s);
      // The trap: students join People by studentId, never by personStudentId.
      const person = peopleById.get(s.studentId);
      if (person === undefined) {
        return err(
          invalidPayload(
            "GET",
            "/Students",
            String(s.studentId),
            ["studentId"],
            `GET /Students: student ${s.studentId} has no /People record with personId ${s.studentId}.`,
          ),
        );
      }
      const schoolCode = s.schoolCode ?? schoolById.get(s.configSchoolId ?? -1)?.schoolCode ?? "";
      const families: FamilyLink[] = (familiesOf.get(s.studentId) ?? [])
        .map((l) => l.familyId)
        .sort(byNumber)
        .map((familyId) => ({ familyId: String(familyId) }));
      const school = s.school;
      people.push({
        sourceId: String(s.studentId),
        role: "student",
        firstName: person.firstName ?? "",
        lastName: person.lastName ?? "",
        email: person.email ?? null,
        schoolCode,
        gradeLevel: school?.gradeLevel ?? null,
        status: statusOf(school?.status),
        birthDate: day(s.birthdate ?? person.birthdate),
        families,
        studentIds: [],
        fields: {
          personStudentId: String(s.personStudentId),
          middleName: person.middleName ?? null,
          nickName: person.nickName ?? null,
          email2: person.email2 ?? null,
          username: person.username ?? null,
          gender: s.gender ?? null,
          classYear: str(s.classYear),
          status: school?.status ?? null,
          substatus: school?.substatus ?? null,
          enrollDate: day(school?.enrollDate),
          withdrawDate: day(school?.withdrawDate),
          graduationDate: day(school?.graduationDate),
          nextStatus: school?.nextStatus ?? null,
          nextGradeLevel: school?.nextGradeLevel ?? null,
          ...familyFields(s.studentId),
          ...studentUdf.get(s.studentId),
        },
      });
    }

    // A parent is anyone linked through ParentStudent; there is no parents resource.
    const linksOf = new Map<number, FactsParentStudent[]>();
    for (const link of d.parentStudents) {
      const list = linksOf.get(link.parentID);
      if (list === undefined) linksOf.set(link.parentID, [link]);
      else list.push(link);
    }
    const parentIds = [...linksOf.keys()].sort(byNumber);
    for (const parentId of parentIds) {
      const person = peopleById.get(parentId);
      const links = (linksOf.get(parentId) ?? []).sort((a, b) => a.studentID - b.studentID);
      if (person === undefined) {
        return err(
          invalidPayload(
            "GET",
            "/People/ParentStudent",
            String(parentId),
            ["parentID"],
            `GET /People/ParentStudent: parent ${parentId} has no /People record.`,
          ),
        );
      }
      const childIds = [...new Set(links.map((l) => l.studentID))];
      const children = childIds.map((id) => studentById.get(id)).filter((s) => s !== undefined);
      const enrolledChild = children.find((c) => statusOf(c.school?.status) === "enrolled");
      // `schoolCode` names one child's school, for display only: a family can span divisions, so core
      // decides a parent's scope per child through `studentIds` (R2), and `schoolCodes` lists them all.
      const anchor = enrolledChild ?? children[0];
      const schoolCodes = [
        ...new Set(children.map((c) => c.schoolCode ?? schoolById.get(c.configSchoolId ?? -1)?.schoolCode ?? "")),
      ]
        .filter((c) => c !== "")
        .sort();
      const families: FamilyLink[] = (familiesOf.get(parentId) ?? [])
        .slice()
        .sort((a, b) => a.familyId - b.familyId)
        .map((pf) => {
          const inFamily = links.find((l) =>
            (familiesOf.get(l.studentID) ?? []).some((sf) => sf.familyId === pf.familyId),
          );
          const link = inFamily ?? links[0];
          return {
            familyId: String(pf.familyId),
            ...(link?.relationship ? { relationship: link.relationship } : {}),
            listedFirst: pf.parent === true && firstParentOf.get(pf.familyId) === parentId,
            ...(pf.familyOrder == null ? {} : { parentOrder: pf.familyOrder }),
            ...(link?.custody == null ? {} : { custody: link.custody }),
          };
        });
      people.push({
        sourceId: String(parentId),
        role: "parent",
        firstName: person.firstName ?? "",
        lastName: person.lastName ?? "",
        email: person.email ?? null,
        schoolCode:
          (anchor === undefined
            ? undefined
            : (anchor.schoolCode ?? schoolById.get(anchor.configSchoolId ?? -1)?.schoolCode)) ?? "",
        status: enrolledChild === undefined ? "inactive" : "enrolled",
        birthDate: day(person.birthdate),
        families,
        studentIds: childIds.sort(byNumber).map(String),
        fields: {
          middleName: person.middleName ?? null,
          nickName: person.nickName ?? null,
          email2: person.email2 ?? null,
          username: person.username ?? null,
          relationship: links[0]?.relationship ?? null,
          custody: str(links[0]?.custody),
          schoolCodes: schoolCodes.join(","),
          ...familyFields(parentId),
          ...parentUdf.get(parentId),
        },
      });
    }

    // A school without a code cannot be scoped to; one without a name is shown by its code.
    const schools: SourceSchool[] = d.schools
      .filter((s) => s.schoolCode)
      .map((s) => ({
        schoolCode: s.schoolCode ?? "",
        name: s.schoolName ?? s.schoolCode ?? "",
        active: s.active !== false,
      }));
    const seenGrades = new Set<string>();
    const gradeLevels: SourceGradeLevel[] = [];
    for (const g of [...d.gradeLevels].sort((a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0))) {
      // Students name their grade by this code; a grade level without one matches no student.
      const code = g.gradeLevelName;
      if (!code || seenGrades.has(code)) continue;
      seenGrades.add(code);
      gradeLevels.push({
        code,
        name: code,
        sortOrder: g.sortOrder ?? 0,
        final: g.finalGradeLevel === true,
      });
    }
    return ok({ people, schools, gradeLevels });
  };

  return {
    name: "facts",
    read(readOptions = {}) {
      return new ResultAsync(fetchAll(readOptions)).andThen(assemble);
    },
    catalogue: (catalogueOptions) => readFactsCatalogue(client, groupTypes, catalogueOptions),
    checkAccess: (catalogueOptions) => checkFactsAccess(client, catalogueOptions),
  };
}
