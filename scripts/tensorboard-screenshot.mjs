// Opens TensorBoard's scalars dashboard in headless Chromium, checks that every run of the grid is
// listed and that charts were drawn, filters the charts by a tag and takes a screenshot. Used by
// scripts/tensorboard-check.sh (which starts TensorBoard):
//
//   node scripts/tensorboard-screenshot.mjs URL OUT.png RUNS TAG [CHROMIUM]
//
// RUNS: the number of runs the run selector must list; TAG: a tag filter, e.g. valid/mae
import { launchChromium } from "./browser.mjs";

const [url, out, runs, tag, executable = "/usr/bin/chromium"] = process.argv.slice(2);
if (!url || !out || !runs || !tag) {
  console.error("usage: node tensorboard-screenshot.mjs URL OUT.png RUNS TAG [CHROMIUM]");
  process.exit(2);
}
const browser = await launchChromium(executable);
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 120_000 });
  // the run selector lists one row per run directory (grid/dataset/variant/seed-N/tensorboard)
  const rows = "runs-data-table tb-data-table-content-row";
  await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length >= n, [rows, Number(runs)],
    { timeout: 120_000, polling: 500 });
  const names = await page.evaluate((sel) => [...document.querySelectorAll(sel)].map((e) => e.innerText.trim()), rows);
  console.log(`${names.length} runs listed, e.g. ${names.slice(0, 3).join(" | ")}`);
  const filter = page.locator("input[placeholder='Filter tags (regex)']").first();
  await filter.fill(tag);
  await page.waitForSelector("scalar-card line-chart", { timeout: 120_000 });
  await page.keyboard.press("Escape"); // close the tag suggestions
  await page.waitForTimeout(3000); // let the charts draw their lines
  const cards = await page.locator("scalar-card").count();
  console.log(`${cards} chart cards for filter ${tag}`);
  if (cards < 1) {
    console.error("no chart was drawn");
    failed = true;
  }
  await page.screenshot({ path: out });
  console.log("screenshot:", out);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
