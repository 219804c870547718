import type { FactsUdfGroup } from "./schemas.js";

/**
 * Reads the user-defined field groups of every type the roster needs. `GET /UserDefinedGroups` takes a
 * `type` query parameter ("the type of UserDefinedGroup", a string, default `"0"`) and, by its own
 * description, filters only on `groupOrder` and `districtWide`: the group type is chosen by `type`, not by
 * a Sieve filter, and what the default selects is not stated. So the groups are read once per group type
 * the roster uses (`type=STUDENT`, `type=PARENT`, `type=FAMILY` by default), never with the default.
 * A group without a `groupType` is taken to be of the type it was asked for; a group listed twice (should
 * FACTS ignore `type`) is kept once, with its own `groupType`.
 *
 * @param readType - one paged read of `/UserDefinedGroups` with this `type`.
 * @param types - the group types to read, upper case.
 * @internal
 */
export async function readUdfGroups(
  readType: (type: string) => Promise<FactsUdfGroup[]>,
  types: readonly string[],
): Promise<FactsUdfGroup[]> {
  const lists = await Promise.all(types.map(async (type) => ({ type, groups: await readType(type) })));
  const byId = new Map<number, FactsUdfGroup>();
  for (const { type, groups } of lists) {
    for (const g of groups) {
      if (!byId.has(g.groupId)) byId.set(g.groupId, g.groupType ? g : { ...g, groupType: type });
    }
  }
  return [...byId.values()].sort((a, b) => a.groupId - b.groupId);
}
