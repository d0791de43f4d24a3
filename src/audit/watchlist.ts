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

function personMatches(person: WatchedPerson, event: WatchlistEvent): boolean {
  if (person.id !== null && event.userId !== null && lower(person.id) === lower(event.userId))
    return true;
  const source = event.source ?? "";
  if (source === "") return false;
  const type = lower(event.sessionType);
  if (type === "vex") {
    const mailbox = lower(mailboxOf(source));
    return (
      mailbox !== "" && (mailbox === lower(person.displayName) || mailbox === lower(person.upn))
    );
  }
  if (type === "veod") {
    const owner = lower(oneDriveOwnerOf(source));
    if (owner === "" || person.upn === null) return false;
    return owner === oneDriveSegment(person.upn) || owner === lower(person.upn.split("@")[0]);
  }
  return false;
}

function siteMatches(subject: WatchedSubject, event: WatchlistEvent): boolean {
  if (event.siteId !== null && subject.siteIds.some((id) => lower(id) === lower(event.siteId)))
    return true;
  const source = lower(event.source);
  if (source === "") return false;
  return subject.sitePaths.some((prefix) => {
    const p = lower(prefix).replace(/\/+$/, "");
    return p !== "" && (source === p || source.startsWith(`${p}/`));
  });
}

/**
 * The watched subject the event touched, or null. A subject of another organization never
 * matches (two tenants may both have a "John Doe"); the first subject in watchlist order wins.
 */
export function watchedSubjectOf(
  watchlist: Watchlist,
  event: WatchlistEvent,
): WatchedSubject | null {
  for (const subject of watchlist.subjects) {
    if (subject.organization !== null && lower(subject.organization) !== lower(event.organization))
      continue;
    if (
      subject.groupId !== null &&
      event.groupId !== null &&
      lower(subject.groupId) === lower(event.groupId)
    )
      return subject;
    if (subject.people.some((person) => personMatches(person, event))) return subject;
    if (siteMatches(subject, event)) return subject;
  }
  return null;
}
