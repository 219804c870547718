import { z } from "zod";

/**
 * zod schemas of every FACTS payload the adapter reads. The schemas are the types (`z.infer`): there is
 * no hand-written duplicate. Unknown keys are dropped; a missing documented key or a wrong type fails
 * the whole read with an `InvalidPayload` error naming the record and the field.
 *
 * @module
 */

const id = z.number().int();
const text = z.string().nullable();
const flag = z.boolean().nullable();

/** The paging envelope of every list endpoint; `results` is validated record by record afterwards. */
export const envelopeSchema = z.object({
  results: z.array(z.unknown()),
  currentPage: z.number().int().min(1),
  pageCount: z.number().int().min(0),
  pageSize: z.number().int().min(1),
  rowCount: z.number().int().min(0),
  nextPage: z.string().nullable().optional(),
});
/** One page of a list endpoint, records not yet validated. */
export type Envelope = z.infer<typeof envelopeSchema>;

/** `GET /SchoolConfigurations`. */
export const schoolSchema = z.object({
  configSchoolID: id,
  schoolCode: z.string(),
  schoolName: z.string(),
  active: z.boolean(),
  defaultYearId: id.nullable(),
});
/** A school configuration. */
export type FactsSchool = z.infer<typeof schoolSchema>;

/** `GET /Academics/GradeLevels`. */
export const gradeLevelSchema = z.object({
  gradeLevelId: id,
  gradeLevelName: z.string(),
  sortOrder: z.number().int().nullable(),
  finalGradeLevel: flag,
  graduationDate: text.optional(),
});
/** A grade level. */
export type FactsGradeLevel = z.infer<typeof gradeLevelSchema>;

/** The `school` block of a student. */
export const studentSchoolSchema = z.object({
  status: text,
  substatus: text.optional(),
  enrollDate: text.optional(),
  withdrawDate: text.optional(),
  graduationDate: text.optional(),
  gradeLevel: text,
  nextStatus: text.optional(),
  nextGradeLevel: text.optional(),
});

/** `GET /Students`. Students carry no name or email: join them to People by `studentId == personId`. */
export const studentSchema = z.object({
  personStudentId: id,
  studentId: id,
  configSchoolId: id.nullable().optional(),
  schoolCode: text,
  classYear: z.number().int().nullable().optional(),
  gender: text.optional(),
  birthdate: text.optional(),
  school: studentSchoolSchema.nullable(),
});
/** A student. */
export type FactsStudent = z.infer<typeof studentSchema>;

/** `GET /People`. */
export const personSchema = z.object({
  personId: id,
  firstName: text,
  lastName: text,
  middleName: text.optional(),
  nickName: text.optional(),
  email: text,
  email2: text.optional(),
  username: text.optional(),
  birthdate: text.optional(),
  modifiedDate: text.optional(),
});
/** A person (names and emails of students and parents). */
export type FactsPerson = z.infer<typeof personSchema>;

/** `GET /People/ParentStudent` (filter names are capitalised: `parentID`, `studentID`). */
export const parentStudentSchema = z.object({
  parentID: id,
  studentID: id,
  relationship: text,
  custody: flag,
  correspondence: flag.optional(),
  grandparent: flag.optional(),
  emergencyContact: flag.optional(),
  parentsWeb: flag.optional(),
});
/** A parent ↔ student link. */
export type FactsParentStudent = z.infer<typeof parentStudentSchema>;

/** `GET /People/PersonFamily`. */
export const personFamilySchema = z.object({
  personId: id,
  familyId: id,
  parent: z.boolean(),
  student: z.boolean(),
  familyOrder: z.number().int().nullable(),
  financialResponsibility: flag.optional(),
});
/** A person ↔ family link. */
export type FactsPersonFamily = z.infer<typeof personFamilySchema>;

/** `GET /Families`. */
export const familySchema = z.object({
  familyID: id,
  familyName: text,
  familyUDID: text.optional(),
});
/** A family. */
export type FactsFamily = z.infer<typeof familySchema>;

/** `GET /UserDefinedGroups`. `groupType` says what a value's `linkedId` points at (STUDENT, PARENT, FAMILY…). */
export const udfGroupSchema = z.object({
  groupId: id,
  groupName: text.optional(),
  groupType: z.string(),
});
/** A user-defined field group. */
export type FactsUdfGroup = z.infer<typeof udfGroupSchema>;

/** `GET /UserDefinedFields`. */
export const udfFieldSchema = z.object({
  fieldId: id,
  groupId: id,
  fieldName: z.string(),
  fieldType: text.optional(),
  listItems: z.unknown().optional(),
});
/** A user-defined field. */
export type FactsUdfField = z.infer<typeof udfFieldSchema>;

/** `GET /UserDefinedData`. */
export const udfDataSchema = z.object({
  fieldId: id,
  linkedId: id,
  data: text,
});
/** A user-defined field's value for one person or family. */
export type FactsUdfData = z.infer<typeof udfDataSchema>;

/** `GET /Students/ServiceHours` and `GET /Parents/ServiceHours` (parents' records also carry `yearId`). */
export const serviceHourSchema = z.object({
  serviceHoursId: id,
  personId: id,
  description: text,
  hours: z.number().finite(),
  date: z.string(),
  note: text,
  verifiedBy: text.optional(),
  createdBy: text.optional(),
  yearId: id.nullable().optional(),
});
/** A service-hours record. */
export type FactsServiceHour = z.infer<typeof serviceHourSchema>;

/** `GET /Students/Status` (not paged). */
export const studentStatusSchema = z.object({
  status: z.string(),
  displayName: text.optional(),
  subStatus: z
    .array(z.object({ id: id, status: z.string(), schoolCode: text.optional() }))
    .nullable()
    .optional(),
});
/** A student status and its sub-statuses. */
export type FactsStudentStatus = z.infer<typeof studentStatusSchema>;
