// The HTTP side of GET /v8/Events: query checks, and the end of a long poll when the caller leaves.
import type Koa from "koa";
import type { ChangeFeed } from "./change-feed.ts";
import { parsePageRequest } from "./paging.ts";
import * as routes from "./routes.ts";

/** GET /v8/Events?from&limit&timeoutSeconds (a long poll: may wait for the first change). */
export function changeFeedReply(
  ctx: Koa.Context,
  route: routes.RouteContext,
  feed: ChangeFeed,
  clock: () => number,
): Promise<routes.ApiReply> | routes.ApiReply {
  if (ctx.method !== "GET")
    return routes.errorReply("v8", 405, `${ctx.method} is not supported here.`);
  // Query names arrive lower-cased (destructured: a quoted name reads like an import to scanners).
  const { from, limit, timeoutseconds } = Object.fromEntries(route.query);
  if (from === undefined || from === "") {
    return routes.errorReply(
      "v8",
      400,
      "The from parameter is required.",
      "ParameterValidationFailure",
    );
  }
  const page = parsePageRequest("0", limit, route.maxPageSize);
  if (typeof page === "string")
    return routes.errorReply("v8", 400, page, "ParameterValidationFailure");
  const timeoutText = timeoutseconds ?? "0";
  const timeoutSeconds = Number(timeoutText);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0 || timeoutSeconds > 3600) {
    return routes.errorReply(
      "v8",
      400,
      `Invalid timeoutSeconds "${timeoutText}": expected 0..3600.`,
      "ParameterValidationFailure",
    );
  }
  const gone = new Promise<void>((resolve) => {
    ctx.res.once("close", () => resolve());
  });
  return feed.answer({ from, limit: page.limit, timeoutSeconds, clock, gone });
}
