// The AbortSignal of work done while a browser waits: aborted at a deadline or when it goes away.
import type { Context } from "koa";

export function requestSignal(ctx: Context, timeoutMs: number): AbortSignal {
  const gone = new AbortController();
  ctx.res.once("close", () => {
    if (!ctx.res.writableFinished)
      gone.abort(new DOMException("the browser went away", "AbortError"));
  });
  return AbortSignal.any([gone.signal, AbortSignal.timeout(timeoutMs)]);
}
