// The simulated server's audit feature: groups with members per organization, the audit items an
// officer has chosen (users and groups), and the audit e-mail settings; kept in memory.
import { PEOPLE } from "./catalog.ts";
import { uuidWithTail } from "./random.ts";
import type { SimApiVersion } from "./serialize.ts";
import type { SimOrganization, SimUser } from "./world.ts";

export interface SimGroup {
  readonly id: string;
  readonly displayName: string;
  /** The group's mail address. */
  readonly name: string;
  /** Indexes into PEOPLE. */
  readonly members: readonly number[];
}

export type SimAuditItem =
  | { readonly id: string; readonly type: "User"; readonly user: SimUser }
  | { readonly id: string; readonly type: "Group"; readonly group: SimGroup };

/** Groups every organization has: a board, HR and finance, with a few people each. */
const GROUPS: readonly (readonly [string, string, readonly number[]])[] = [
  ["Executives", "executives", [0, 1]],
  ["Human Resources", "hr", [2, 3, 5]],
  ["Finance", "finance", [1, 4, 6]],
];

export interface EmailSettings {
  enableNotification: boolean;
  smtpServer: string;
  port: number;
  useAuthentication: boolean;
  username: string;
  useSSL: boolean;
  from: string;
  to: string;
  subject: string;
  authenticationType: string;
  /** Never shown by GET, kept to tell a test whether PUT carried one. */
  passwordSet: boolean;
}

const DEFAULT_SETTINGS: EmailSettings = {
  enableNotification: false,
  smtpServer: "",
  port: 25,
  useAuthentication: false,
  username: "",
  useSSL: false,
  from: "",
  to: "",
  subject: "[%OrganizationName%] %DisplayName% data was %Action% by %InitiatedByUserName%",
  authenticationType: "CustomSmtp",
  passwordSet: false,
};

export class AuditState {
  private readonly items = new Map<string, SimAuditItem[]>();
  private settings: EmailSettings = { ...DEFAULT_SETTINGS };
  private sent = 0;
  private readonly seed: number;

  constructor(seed: number) {
    this.seed = seed;
  }

  groups(org: SimOrganization, orgIndex: number): SimGroup[] {
    return GROUPS.map(([displayName, mailbox, members], g) => ({
      id: uuidWithTail(g, this.seed, 902, orgIndex),
      displayName,
      name: `${mailbox}@${org.officeName}`,
      members,
    }));
  }

  itemsOf(organizationId: string): SimAuditItem[] {
    return [...(this.items.get(organizationId) ?? [])];
  }

  /** Adds items not audited yet (by user or group id); returns how many were new. */
  add(organizationId: string, added: readonly SimAuditItem[]): number {
    const list = this.items.get(organizationId) ?? [];
    let n = 0;
    for (const item of added) {
      const key = item.type === "User" ? item.user.id : item.group.id;
      if (list.some((i) => (i.type === "User" ? i.user.id : i.group.id) === key)) continue;
      list.push(item);
      n++;
    }
    this.items.set(organizationId, list);
    return n;
  }

  /** Removes items by their audit item id; returns the ids that were not found. */
  remove(organizationId: string, ids: readonly string[]): string[] {
    const list = this.items.get(organizationId) ?? [];
    const missing = ids.filter((id) => !list.some((i) => i.id === id));
    this.items.set(
      organizationId,
      list.filter((i) => !ids.includes(i.id)),
    );
    return missing;
  }

  emailSettings(): EmailSettings {
    return { ...this.settings };
  }

  setEmailSettings(next: EmailSettings): void {
    this.settings = { ...next };
  }

  sendTest(): void {
    this.sent++;
  }

  testMailsSent(): number {
    return this.sent;
  }

  static peopleOf(group: SimGroup): readonly (readonly [string, string])[] {
    return group.members.map((i) => PEOPLE[i] ?? ["unknown", "Unknown"]);
  }

  static versionHasAuthType(version: SimApiVersion): boolean {
    return version !== "v6";
  }
}
