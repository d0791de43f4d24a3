// Pure: the watchlist of one server (VBO's audit items with their groups' members, plus local
// entries from the configuration) and the decision whether a restore event touched a watched
// subject. Views count: every event type is checked.

export interface WatchedPerson {
  /** VBO's user id, when known (v8 events carry userId). */
  readonly id: string | null;
  /** UPN / mail. */
  readonly upn: string | null;
  readonly displayName: string | null;
}

/** One subject of the watchlist as a person named it: a user, a group, a site or a OneDrive. */
export interface WatchedSubject {
  /** How the subject is named in records, metrics and alerts (UPN, group mail or name, URL). */
  readonly label: string;
  /** The organization it belongs to (VBO's name); null for local entries valid everywhere. */
  readonly organization: string | null;
  readonly kind: "user" | "group" | "site";
  /** The people whose mailboxes and OneDrives count: the user, or the group's members. */
  readonly people: readonly WatchedPerson[];
  /** VBO's group id, for v8 events that carry groupId. */
  readonly groupId: string | null;
  /** Site path prefixes (`/sites/HR`) or ids, for SharePoint events. */
  readonly sitePaths: readonly string[];
  readonly siteIds: readonly string[];
}

export interface WatchlistEvent {
  /** Session type: Vex, Veod, Vesp, Vet (or unknown). */
  readonly sessionType: string;
  readonly organization: string | null;
  readonly source: string | null;
  readonly userId: string | null;
  readonly groupId: string | null;
  readonly siteId: string | null;
}

export interface Watchlist {
  readonly subjects: readonly WatchedSubject[];
}

const lower = (text: string | null | undefined) => (text ?? "").trim().toLowerCase();

/** The mailbox part of an Exchange source `Mailbox name\Folder\Sub`. */
export function mailboxOf(source: string): string {
  const cut = source.indexOf("\\");
  return (cut === -1 ? source : source.slice(0, cut)).trim();
}

/** The owner segment of a OneDrive path `/personal/<owner>/...`, or null. */
export function oneDriveOwnerOf(source: string): string | null {
  const m = /\/personal\/([^/]+)/i.exec(source);
  return m?.[1] ?? null;
}

/** SharePoint's OneDrive owner form of a UPN: jdoe@contoso.com → jdoe_contoso_com. */
export function oneDriveSegment(upn: string): string {
  return upn.toLowerCase().replace(/[@.]/g, "_");
}

/** A subject with its names lower-cased once, so matching an event does no per-subject work. */
interface CompiledSubject {
  readonly subject: WatchedSubject;
  readonly organization: string | null;
  readonly groupId: string | null;
  readonly personIds: ReadonlySet<string>;
  /** Display names and UPNs: what an Exchange source's mailbox part may be. */
  readonly mailboxes: ReadonlySet<string>;
  /** SharePoint's form of each UPN and its bare login: what a OneDrive owner segment may be. */
  readonly oneDriveOwners: ReadonlySet<string>;
  readonly sitePaths: readonly string[];
  readonly siteIds: ReadonlySet<string>;
}

function compileSubject(subject: WatchedSubject): CompiledSubject {
  const personIds = new Set<string>();
  const mailboxes = new Set<string>();
  const oneDriveOwners = new Set<string>();
  for (const person of subject.people) {
    if (person.id !== null) personIds.add(lower(person.id));
    for (const name of [person.displayName, person.upn])
      if (lower(name) !== "") mailboxes.add(lower(name));
    if (person.upn !== null) {
      oneDriveOwners.add(oneDriveSegment(person.upn));
      oneDriveOwners.add(lower(person.upn.split("@")[0]));
    }
  }
  return {
    subject,
    organization: subject.organization === null ? null : lower(subject.organization),
    groupId: subject.groupId === null ? null : lower(subject.groupId),
    personIds,
    mailboxes,
    oneDriveOwners,
    sitePaths: subject.sitePaths.map((p) => lower(p).replace(/\/+$/, "")).filter((p) => p !== ""),
    siteIds: new Set(subject.siteIds.map(lower)),
  };
}

/** Compiled once per watchlist (a refresh publishes a new one), not once per event. */
const compiled = new WeakMap<Watchlist, readonly CompiledSubject[]>();

function compile(watchlist: Watchlist): readonly CompiledSubject[] {
  let list = compiled.get(watchlist);
  if (list === undefined) {
    list = watchlist.subjects.map(compileSubject);
    compiled.set(watchlist, list);
  }
  return list;
}

/**
 * The watched subject the event touched, or null. A subject of another organization never
 * matches (two tenants may both have a "John Doe"); the first subject in watchlist order wins.
 */
export function watchedSubjectOf(
  watchlist: Watchlist,
  event: WatchlistEvent,
): WatchedSubject | null {
  const organization = lower(event.organization);
  const type = lower(event.sessionType);
  const source = event.source ?? "";
  const userId = event.userId === null ? null : lower(event.userId);
  const groupId = event.groupId === null ? null : lower(event.groupId);
  const siteId = event.siteId === null ? null : lower(event.siteId);
  const mailbox = source !== "" && type === "vex" ? lower(mailboxOf(source)) : "";
  const owner = source !== "" && type === "veod" ? lower(oneDriveOwnerOf(source)) : "";
  const path = lower(source);
  for (const c of compile(watchlist)) {
    if (c.organization !== null && c.organization !== organization) continue;
    if (c.groupId !== null && groupId !== null && c.groupId === groupId) return c.subject;
    if (userId !== null && c.personIds.has(userId)) return c.subject;
    if (mailbox !== "" && c.mailboxes.has(mailbox)) return c.subject;
    if (owner !== "" && c.oneDriveOwners.has(owner)) return c.subject;
    if (siteId !== null && c.siteIds.has(siteId)) return c.subject;
    if (path !== "" && c.sitePaths.some((p) => path === p || path.startsWith(`${p}/`)))
      return c.subject;
  }
  return null;
}
