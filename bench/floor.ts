// The floor: the least work any exporter must do for a backfill, a bare fetch + JSON.parse of every
// sessions listing page and every session's events pages, with at most `concurrency` requests in flight.

export interface FloorOptions {
  readonly url: string;
  readonly apiVersion: string;
  readonly username: string;
  readonly password: string;
  readonly pageSize: number;
  readonly concurrency: number;
}

export interface FloorResult {
  readonly ms: number;
  readonly requests: number;
  readonly sessions: number;
  readonly events: number;
}

interface Page {
  results?: { id: string }[];
}

/** At most `limit` calls of run() at a time. */
function semaphore(limit: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(run: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    else active++;
    try {
      return await run();
    } finally {
      const next = queue.shift();
      if (next) next();
      else active--;
    }
  };
}

export async function measureFloor(options: FloorOptions): Promise<FloorResult> {
  const base = `${options.url}/${options.apiVersion}`;
  const started = performance.now();
  let requests = 1;
  const tokenResponse = await fetch(`${base}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "password",
      username: options.username,
      password: options.password,
    }),
  });
  if (!tokenResponse.ok) throw new Error(`floor: token request answered ${tokenResponse.status}`);
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token}`, accept: "application/json" };
  const slot = semaphore(options.concurrency);
  const getPage = (path: string) =>
    slot(async () => {
      requests++;
      const response = await fetch(`${base}${path}`, { headers });
      const text = await response.text();
      if (!response.ok) throw new Error(`floor: ${path} answered ${response.status}`);
      return JSON.parse(text) as Page;
    });
  const limit = options.pageSize;
  let sessions = 0;
  let events = 0;
  const eventWalks: Promise<void>[] = [];
  const walkEvents = async (id: string) => {
    for (let offset = 0; ; offset += limit) {
      const page = await getPage(`/RestoreSessions/${id}/Events?offset=${offset}&limit=${limit}`);
      const count = page.results?.length ?? 0;
      events += count;
      if (count < limit) return;
    }
  };
  const order = options.apiVersion === "v8" ? "&orderAsc=true" : "";
  for (let offset = 0; ; offset += limit) {
    const page = await getPage(`/RestoreSessions?offset=${offset}&limit=${limit}${order}`);
    const results = page.results ?? [];
    sessions += results.length;
    for (const session of results) eventWalks.push(walkEvents(session.id));
    if (results.length < limit) break;
  }
  await Promise.all(eventWalks);
  return { ms: performance.now() - started, requests, sessions, events };
}
