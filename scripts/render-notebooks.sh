#!/usr/bin/env bash
# Renders the notebooks that show the shipped results (03, 04, 05, 06) as HTML into
# docs/notebooks/, executed at full scale against docs/results, for readers who do not run Java:
#
#   scripts/render-notebooks.sh [NOTEBOOK ...]     (about 3 minutes on 2 cores)
#
# Builds the jar (mvn -q -B -DskipTests package; MECAM_SKIP_BUILD=1 uses target/mecam.jar as
# it is), makes .venv with nbclient and nbconvert (scripts/python-env.sh), installs the kernel
# under target/render-notebooks/jupyter, then runs scripts/render-notebooks.py (its docstring
# says what it does). The notebooks in notebooks/ are read, never written. Commit the changed
# docs/notebooks/*.html; RenderedNotebooksTest fails when a notebook, notebooks/setup.jsh or
# anything under docs/results changed since they were rendered.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${MECAM_SKIP_BUILD:-}" ]]; then
  mvn -q -B -Dstyle.color=never -DskipTests package
fi
[[ -f target/mecam.jar ]] || { echo "$0: no target/mecam.jar (build it: mvn -q -B -DskipTests package)" >&2; exit 2; }
scripts/python-env.sh >/dev/null
jupyter=$PWD/target/render-notebooks/jupyter
rm -rf "$jupyter"
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
"$java" -jar target/mecam.jar kernel install --prefix "$jupyter" --jvm-option=-Xmx3g >/dev/null
export JUPYTER_PATH=$jupyter/share/jupyter JUPYTER_RUNTIME_DIR=$jupyter/runtime \
  JUPYTER_CONFIG_DIR=$jupyter/config JUPYTER_DATA_DIR=$jupyter/data
exec .venv/bin/python scripts/render-notebooks.py "$@"
