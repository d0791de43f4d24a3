// A report page printed to PDF by headless Chromium (Debian's `chromium`), when it is installed.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";

const BROWSERS = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/** The browser to print with: $CHROMIUM, else the first of the usual names on PATH; null when none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CHROMIUM) return existsSync(env.CHROMIUM) ? env.CHROMIUM : null;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    for (const name of BROWSERS) {
      const path = join(dir, name);
      if (dir !== "" && existsSync(path)) return path;
    }
  }
  return null;
}

export class PdfUnavailable extends Error {
  override readonly name = "PdfUnavailable";
}

/** The PDF bytes of a self-contained HTML page; throws PdfUnavailable with what to do. */
export async function printPdf(html: string, browser = findChromium()): Promise<Buffer> {
  if (browser === null)
    throw new PdfUnavailable(
      "a PDF is printed by headless Chromium, which is not installed (Debian: apt-get install chromium; or set CHROMIUM to its path); --format html writes the same report",
    );
  const dir = mkdtempSync(join(tmpdir(), "vbo-report-"));
  try {
    const page = join(dir, "report.html");
    const pdf = join(dir, "report.pdf");
    writeFileSync(page, html);
    const args = [
      "--headless",
      "--disable-gpu",
      "--no-sandbox",
      "--no-pdf-header-footer",
      `--user-data-dir=${join(dir, "profile")}`,
      `--print-to-pdf=${pdf}`,
      pathToFileURL(page).href,
    ];
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(browser, args, { stdio: ["ignore", "pipe", "pipe"] });
      let text = "";
      child.stdout.on("data", (c: Buffer) => {
        text += c.toString();
      });
      child.stderr.on("data", (c: Buffer) => {
        text += c.toString();
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(new PdfUnavailable(`cannot start ${browser}: ${error.message}`));
      });
      child.on("close", () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    if (!existsSync(pdf))
      throw new PdfUnavailable(
        `${browser} printed no PDF: ${output.trim().split("\n").slice(-2).join(" ").slice(0, 300)}`,
      );
    return readFileSync(pdf);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
