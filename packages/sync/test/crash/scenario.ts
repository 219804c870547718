import type { Account, PlanAction, PlanCounts, SyncPlan } from "@rostersync/core";

/** A small school's accounts before the sync, and a plan with every kind of action against them. */
export function crashScenario(): { accounts: Account[]; plan: SyncPlan } {
  const accounts: Account[] = [];
  const actions: PlanAction[] = [
    {
      actionId: "createField:Homeroom",
      type: "createField",
      reasons: ["field-missing"],
      field: { name: "Homeroom", kind: "dropdown", options: ["A", "B"] },
    },
  ];
  const account = (id: string, extra: Partial<Account>): Account => ({
    accountId: id,
    email: `${id}@example.org`,
    archived: false,
    managed: false,
    fields: {},
    neverAccessed: false,
    ...extra,
  });
  for (let i = 1; i <= 30; i++) {
    actions.push({
      actionId: `add:N${i}`,
      type: "add",
      reasons: ["new-person"],
      sourceId: `N${i}`,
      account: {
        email: `new${i}@example.org`,
        firstName: `New${i}`,
        lastName: "Person",
        sourceId: `N${i}`,
        ...(i % 3 === 0 ? { familyGroupId: `F${i}` } : {}),
        fields: { Homeroom: i % 2 ? "A" : "B" },
      },
    });
  }
  for (let i = 1; i <= 8; i++) {
    accounts.push(account(`u${i}`, { email: `link${i}@example.org` }));
    actions.push({
      actionId: `link:K${i}`,
      type: "link",
      reasons: ["email-match"],
      sourceId: `K${i}`,
      accountId: `u${i}`,
      changes: [{ field: "Homeroom", from: null, to: "A" }],
    });
  }
  for (let i = 1; i <= 10; i++) {
    accounts.push(account(`l${i}`, { sourceId: `L${i}`, managed: true, fields: { Homeroom: "A" } }));
    actions.push({
      actionId: `update:L${i}`,
      type: "update",
      reasons: ["fields-changed"],
      sourceId: `L${i}`,
      accountId: `l${i}`,
      changes: [
        { field: "Homeroom", from: "A", to: "B" },
        ...(i % 4 === 0 ? [{ field: "email", from: `l${i}@example.org`, to: `moved${i}@example.org` }] : []),
      ],
    });
  }
  for (let i = 1; i <= 4; i++) {
    accounts.push(account(`r${i}`, { sourceId: `R${i}`, managed: true, archived: true }));
    actions.push({
      actionId: `restore:R${i}`,
      type: "restore",
      reasons: ["returning"],
      sourceId: `R${i}`,
      accountId: `r${i}`,
      changes: [{ field: "Homeroom", from: null, to: "B" }],
    });
  }
  for (let i = 1; i <= 5; i++) {
    accounts.push(account(`x${i}`, { sourceId: `X${i}`, managed: true }));
    actions.push({
      actionId: `archive:x${i}`,
      type: "archive",
      reasons: ["gone-from-source"],
      accountId: `x${i}`,
      sourceId: `X${i}`,
    });
  }
  for (let i = 1; i <= 3; i++) {
    actions.push({ actionId: `skip:S${i}`, type: "skip", reasons: ["unselected"], sourceId: `S${i}`, accountId: null });
  }
  const counts: Record<keyof PlanCounts, number> = {
    add: 0,
    link: 0,
    update: 0,
    restore: 0,
    archive: 0,
    skip: 0,
    createField: 0,
  };
  for (const a of actions) counts[a.type]++;
  return {
    accounts,
    plan: {
      role: "student",
      planHash: "crash-plan",
      profileHash: "crash-profile",
      actions,
      counts,
      holds: [],
      askAtFirstLogin: [],
      sourceCount: 60,
      accountCount: accounts.length,
    },
  };
}
