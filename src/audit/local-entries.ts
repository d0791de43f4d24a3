// Pure: the configuration's own watchlist entries (for what VBO cannot audit: Teams, non-personal
// sites, a OneDrive by URL, or a user before VBO's audit is set up) as watchlist subjects.
import type { WatchedSubject } from "./watchlist.ts";

export type LocalWatchEntry =
  | { readonly user: string; readonly organization: string | null }
  | { readonly site: string; readonly organization: string | null }
  | { readonly oneDrive: string; readonly organization: string | null };

/** The path of a URL (`https://x.sharepoint.com/sites/HR` → `/sites/HR`); the text when not a URL. */
function pathOf(text: string): string {
  try {
    return decodeURIComponent(new URL(text).pathname).replace(/\/+$/, "");
  } catch {
    return text.replace(/\/+$/, "");
  }
}

export function localSubjects(entries: readonly LocalWatchEntry[]): WatchedSubject[] {
  return entries.map((entry): WatchedSubject => {
    const organization = entry.organization;
    if ("user" in entry) {
      const isUpn = entry.user.includes("@");
      return {
        label: entry.user,
        organization,
        kind: "user",
        people: [
          { id: null, upn: isUpn ? entry.user : null, displayName: isUpn ? null : entry.user },
        ],
        groupId: null,
        sitePaths: [],
        siteIds: [],
      };
    }
    const url = "site" in entry ? entry.site : entry.oneDrive;
    return {
      label: url,
      organization,
      kind: "site",
      people: [],
      groupId: null,
      sitePaths: [pathOf(url)],
      siteIds: [],
    };
  });
}
