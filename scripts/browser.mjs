// Headless Chromium for the browser checks (jupyterlab-screenshot.mjs, tensorboard-screenshot.mjs):
// the system Chromium driven by playwright-core, without any connection of its own to the network.
import { chromium } from "playwright-core";

export function launchChromium(executable = "/usr/bin/chromium") {
  return chromium.launch({
    executablePath: executable,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
  });
}
