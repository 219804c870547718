import { z } from "zod";

/**
 * zod schemas of every FACTS payload the adapter reads, each named after its definition in FACTS's
 * Swagger 2.0 API definition (`StudentModelV1_3`, `PersonVM`, …) and checked against a committed copy of
 * it by the facts package's contract test. The schemas are the types (`z.infer`): there is no
 * hand-written duplicate.
 *
 * How strict: what identifies a record (its ids) and the paging envelope are required, and a wrong or
 * missing one fails the whole read with an `InvalidPayload` error naming the record and the field. Every
 * other field may be absent or `null` (FACTS's definition marks few fields required, and live answers omit
 * some null ones): a person without an email reads as `email: undefined` and becomes a `missing-email`
 * data problem in review, never a failed read. A field that is present must still have the declared type
 * (a drift is loud). Unknown extra fields are dropped. The facts README lists, per endpoint, which fields
 * are read and why.
 *
 * @module
 */

const id = z.number().int();
/** An optional field: absent, `null`, or of its declared type. */
const opt = <T extends z.ZodType>(schema: T) => schema.nullish();
const text = opt(z.string());
const flag = opt(z.boolean());
const int = opt(z.number().int());

/**
 * The paging envelope of every list endpoint (`PagedResultOf<T>`); `results` is validated record by record
 * afterwards. The four counters are required by the definition and by the paging; `results` is not marked
 * required there, so a page without it has no records (and `rowCount` then tells whether that is true).
 */
export const envelopeSchema = z.object({
  results: z.array(z.unknown()).optional().default([]),
  currentPage: z.number().int().min(1),
  pageCount: z.number().int().min(0),
  pageSize: z.number().int().min(1),
  rowCount: z.number().int().min(0),
  nextPage: text,
});
/** One page of a list endpoint, records not yet validated. */
export type Envelope = z.infer<typeof envelopeSchema>;

/** `GET /SchoolConfigurations` (`SchoolConfigVmOut`). */
export const schoolSchema = z.object({
  configSchoolID: id,
  schoolCode: text,
  schoolName: text,
  /** Required by the definition; read as active when absent. */
  active: flag,
  defaultYearId: int,
});
/** A school configuration. */
export type FactsSchool = z.infer<typeof schoolSchema>;

/** `GET /Academics/GradeLevels` (`GradeLevelsOutput`). */
export const gradeLevelSchema = z.object({
  gradeLevelId: id,
  gradeLevelName: text,
  sortOrder: int,
  finalGradeLevel: flag,
  graduationDate: text,
});
/** A grade level. */
export type FactsGradeLevel = z.infer<typeof gradeLevelSchema>;

/** The `school` block of a student (`StudentSchoolModel`). */
export const studentSchoolSchema = z.object({
  status: text,
  substatus: text,
  enrollDate: text,
  withdrawDate: text,
  graduationDate: text,
  gradeLevel: text,
  nextStatus: text,
  nextGradeLevel: text,
});

/**
 * `GET /Students` (`StudentModelV1_3`). Students carry no name or email: join them to People by
 * `studentId == personId`. `classYear` is a string in the definition (and live); a number is read as its
 * text.
 */
export const studentSchema = z.object({
  personStudentId: id,
  studentId: id,
  configSchoolId: int,
  schoolCode: text,
  classYear: opt(z.union([z.string(), z.number().transform((n) => String(n))])),
  gender: text,
  birthdate: text,
  school: opt(studentSchoolSchema),
});
/** A student. */
export type FactsStudent = z.infer<typeof studentSchema>;

/** `GET /People` (`PersonVM`). */
export const personSchema = z.object({
  personId: id,
  firstName: text,
  lastName: text,
  middleName: text,
  nickName: text,
  email: text,
  email2: text,
  username: text,
  birthdate: text,
  modifiedDate: text,
});
/** A person (names and emails of students and parents). */
export type FactsPerson = z.infer<typeof personSchema>;

/** `GET /People/ParentStudent` (`ParentStudentVM_V1_1`; filter names are capitalised: `parentID`, `studentID`). */
export const parentStudentSchema = z.object({
  parentID: id,
  studentID: id,
  relationship: text,
  custody: flag,
  correspondence: flag,
  grandparent: flag,
  emergencyContact: flag,
  parentsWeb: flag,
});
/** A parent ↔ student link. */
export type FactsParentStudent = z.infer<typeof parentStudentSchema>;

/** `GET /People/PersonFamily` (`PersonFamilyVM`). */
export const personFamilySchema = z.object({
  personId: id,
  familyId: id,
  parent: flag,
  student: flag,
  familyOrder: int,
  financialResponsibility: flag,
});
/** A person ↔ family link. */
export type FactsPersonFamily = z.infer<typeof personFamilySchema>;

/** `GET /Families` (`FamilyConfigVmOutV1_1`). */
export const familySchema = z.object({
  familyID: id,
  familyName: text,
  familyUDID: text,
});
/** A family. */
export type FactsFamily = z.infer<typeof familySchema>;

/**
 * `GET /UserDefinedGroups` (`UserDefinedGroupModel`). `groupType` says what a value's `linkedId` points at
 * (the definition's examples: CLASS, COURSE, FAMILY, MEDICAL, NSI, PARENT, SCHOOL, STAFF, STUDENT).
 */
export const udfGroupSchema = z.object({
  groupId: id,
  groupName: text,
  groupType: text,
});
/** A user-defined field group. */
export type FactsUdfGroup = z.infer<typeof udfGroupSchema>;

/** `GET /UserDefinedFields` (`UserDefinedFieldModel`; `fieldType` is an integer code, `listItems` a list). */
export const udfFieldSchema = z.object({
  fieldId: id,
  groupId: int,
  fieldName: text,
  fieldType: int,
  listItems: opt(z.array(z.string())),
});
/** A user-defined field. */
export type FactsUdfField = z.infer<typeof udfFieldSchema>;

/** `GET /UserDefinedData` (`UserDefinedDataModel`; `fieldId` and `linkedId` are required there). */
export const udfDataSchema = z.object({
  fieldId: id,
  linkedId: id,
  data: text,
});
/** A user-defined field's value for one person or family. */
export type FactsUdfData = z.infer<typeof udfDataSchema>;

/**
 * `GET /Students/ServiceHours` and `GET /Parents/ServiceHours` (`StudentServiceHoursModel`: no `yearId`;
 * only the parents' PUT body, `ServiceHoursModel`, has one). `createdBy` is an integer (a user id).
 */
export const serviceHourSchema = z.object({
  serviceHoursId: id,
  personId: int,
  description: text,
  hours: opt(z.number()),
  date: text,
  note: text,
  verifiedBy: text,
  createdBy: int,
});
/** A service-hours record. */
export type FactsServiceHour = z.infer<typeof serviceHourSchema>;

/** `GET /Students/Status` (`StatusModelArray`, not paged). */
export const studentStatusSchema = z.object({
  status: text,
  displayName: text,
  subStatus: opt(z.array(z.object({ id: id, status: text, schoolCode: text }))),
});
/** A student status and its sub-statuses. */
export type FactsStudentStatus = z.infer<typeof studentStatusSchema>;
