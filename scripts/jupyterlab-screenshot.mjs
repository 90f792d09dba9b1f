// Opens a notebook in JupyterLab in headless Chromium, runs all its cells with the notebook's
// kernel, waits for the last code cell to finish, checks that a chart was rendered, and takes a
// screenshot of it. Used by scripts/jupyterlab-check.sh (which starts JupyterLab):
//
//   node scripts/jupyterlab-screenshot.mjs URL OUT.png [CHROMIUM]
//
// URL opens the notebook, e.g. http://127.0.0.1:8899/lab/tree/notebooks/00-quickstart.ipynb?token=T
import { launchChromium } from "./browser.mjs";

const [url, out, executable = "/usr/bin/chromium"] = process.argv.slice(2);
if (!url || !out) {
  console.error("usage: node jupyterlab-screenshot.mjs URL OUT.png [CHROMIUM]");
  process.exit(2);
}

const browser = await launchChromium(executable);
const failures = [];
try {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
  // the debugger extension asks every kernel for a session; this kernel has no debugger
  page.on("pageerror", (e) => { if (!/No active debugger session/.test(e.message)) console.error("page error:", e.message); });
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 120_000 });
  // the notebook panel with its kernel: the status reads "Idle" once the kernel is up
  await page.waitForSelector(".jp-NotebookPanel .jp-Cell", { timeout: 120_000 });
  await page.waitForFunction(() => {
    const s = document.querySelector(".jp-NotebookPanel-toolbar .jp-KernelStatus, .jp-Toolbar-kernelStatus");
    const text = document.body.innerText;
    return /Java 17 \(MECAM\)/.test(text) && (!s || !/Starting|Connecting|Unknown/.test(s.getAttribute("title") || s.textContent));
  }, null, { timeout: 120_000 });
  console.log("notebook open, kernel:", await page.evaluate(() => (document.body.innerText.match(/Java \d+ \(MECAM\)/) || ["?"])[0]));

  // JupyterLab asks once whether to fetch news; say no, so the question does not cover the screenshot
  const no = page.getByRole("button", { name: "No", exact: true });
  if (await no.isVisible().catch(() => false)) await no.click();

  // Run > Run All Cells
  await page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputArea-editor").first().click();
  await page.getByRole("menuitem", { name: "Run", exact: true }).click();
  await page.getByRole("menuitem", { name: /^Run All Cells/ }).click();
  console.log("running all cells");

  // done when every code cell has an execution count and no cell is queued or running ([*])
  await page.waitForFunction(() => {
    const prompts = [...document.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt")].map((p) => p.textContent.trim());
    return prompts.length > 0 && prompts.every((p) => /^\[\d+\]:$/.test(p));
  }, null, { timeout: 900_000, polling: 1000 });
  const errors = await page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count();
  const tracebacks = await page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error'], .jp-OutputArea-output .ansi-red-fg").count();
  const images = page.locator(".jp-OutputArea-output img");
  const n = await images.count();
  console.log(`all cells ran: ${n} images, ${tracebacks} error outputs, ${errors} stderr outputs`);
  if (tracebacks > 0) failures.push(`${tracebacks} cells failed`);
  if (n < 1) failures.push("no chart was rendered");
  if (n > 0) {
    const chart = images.last();
    await chart.scrollIntoViewIfNeeded();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await chart.elementHandle(), { timeout: 30_000 });
    const size = await chart.evaluate((el) => [el.naturalWidth, el.naturalHeight]);
    console.log(`chart ${size[0]}x${size[1]} rendered`);
    // the chart with its cell and the cells above it
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(500);
  }
  if (await no.isVisible().catch(() => false)) await no.click();
  await page.screenshot({ path: out, fullPage: false });
  console.log("screenshot:", out);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error("FAILED: " + failures.join("; "));
  process.exit(1);
}
