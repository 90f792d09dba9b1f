# Shared set-up of the browser checks (sourced by jupyterlab-check.sh and tensorboard-check.sh):
#   browser_check_setup NAME DRIVER.mjs
# sets $root, $work (target/NAME) and $chromium, checks that the kit is built and Chromium is
# there (exit 2 with a hint otherwise), installs playwright-core (the driver only) under $work
# and copies the driver with scripts/browser.mjs next to it.
browser_check_setup() {
  root=$(pwd)
  work="$root/target/$1"
  chromium="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
  mkdir -p "$work"
  [[ -f target/mecam.jar ]] || { echo "build the kit first: mvn -B -DskipTests package" >&2; exit 2; }
  [[ -n "$chromium" && -x "$chromium" ]] || { echo "no Chromium found (apt-get install chromium, or set CHROMIUM)" >&2; exit 2; }
  if [[ ! -d "$work/node_modules/playwright-core" ]]; then
    npm install --silent --no-audit --no-fund --prefix "$work" playwright-core@1.65.1 >/dev/null
  fi
  cp "scripts/$2" scripts/browser.mjs "$work/"
}
